//! For `--endpoint-url` only: an HTTP client that connects every host name
//! to the endpoint's address (S3 Control prefixes `{AccountId}.` to the host).

use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::net::IpAddr;

/// For `--endpoint-url` only: an HTTP client that connects every host name to
/// the endpoint's address. S3 Control prefixes `{AccountId}.` to the endpoint
/// host, a name that does not resolve; an emulator routes on the path.
pub(super) fn endpoint_http_client(endpoint: &str) -> SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let resolver = EndpointHostResolver {
        host: endpoint_host(endpoint),
    };
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .build_with_resolver(resolver)
}

/// Resolves any name to the addresses of one host.
#[derive(Debug, Clone)]
struct EndpointHostResolver {
    host: String,
}

impl ResolveDns for EndpointHostResolver {
    fn resolve_dns<'a>(&'a self, _name: &'a str) -> DnsFuture<'a> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return DnsFuture::ready(Ok(vec![ip]));
        }
        DnsFuture::new(async move {
            let addrs = tokio::net::lookup_host((self.host.as_str(), 0))
                .await
                .map_err(ResolveDnsError::new)?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// The host of a URL: `http://user@[::1]:4566/x` → `::1`, `http://moto:5000` → `moto`.
fn endpoint_host(url: &str) -> String {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default().to_string();
    }
    authority.split(':').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_hosts() {
        assert_eq!(endpoint_host("http://127.0.0.1:5000"), "127.0.0.1");
        assert_eq!(endpoint_host("http://localhost:4566/"), "localhost");
        assert_eq!(endpoint_host("https://user:pw@moto.test/path"), "moto.test");
        assert_eq!(endpoint_host("http://[::1]:5000"), "::1");
        assert_eq!(endpoint_host("127.0.0.1:9"), "127.0.0.1");
    }

    #[tokio::test]
    async fn resolver_maps_every_name_to_the_endpoint() {
        let r = EndpointHostResolver {
            host: "127.0.0.1".into(),
        };
        let ips = r
            .resolve_dns("123456789012.127.0.0.1")
            .await
            .expect("an IP endpoint always resolves");
        assert_eq!(ips, vec!["127.0.0.1".parse::<IpAddr>().expect("ip")]);
    }
}
