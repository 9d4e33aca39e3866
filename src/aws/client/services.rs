//! The SDK clients: one generic builder for every service, and one cache of
//! the clients by service and region.
//!
//! Every client is built the same way: the loaded configuration (credentials,
//! timeouts, retries, the bounded HTTP client), the region it signs for, a
//! retry partition of its own (see the module docs of [`super`]), and the
//! interceptor that counts requests (`counting`). S3 and
//! S3 Control add what an emulator needs when a custom endpoint is set.

use super::counting::CountRequests;
use super::endpoint::endpoint_http_client;
use super::limiter::LimitedHttpClient;
use super::{AwsBackend, global_signing_region, retry_partition};
use aws_sdk_iam::config::retry::RetryPartition;
use aws_types::SdkConfig;
use aws_types::region::Region;

/// What every client is built from.
#[derive(Clone, Copy)]
pub(crate) struct Shared<'a> {
    /// The loaded configuration.
    pub(super) sdk: &'a SdkConfig,
    /// The custom endpoint (`--endpoint-url`, emulators), when one is set.
    pub(super) endpoint: Option<&'a str>,
    /// The interceptor that counts requests (see `counting`).
    pub(super) counts: &'a CountRequests,
}

/// An SDK client moat builds, by the one rule above.
pub(crate) trait Service: Clone + Send + Sync + 'static {
    /// The service's key in the client cache and in its retry partitions.
    const NAME: &'static str;
    /// The client of `region`, retrying within `partition`.
    fn build(shared: &Shared<'_>, region: Region, partition: RetryPartition) -> Self;
}

/// Implements [`Service`] for SDK crates whose clients need nothing beyond
/// the common rule, and [`AwsBackend`]'s accessor of each regional one.
macro_rules! services {
    (
        global { $( $gkrate:ident = $gname:literal, )* }
        regional { $( $(#[$doc:meta])* $accessor:ident: $krate:ident = $name:literal, )* }
    ) => {
        $( services!(@impl $gkrate = $gname); )*
        $( services!(@impl $krate = $name); )*
        impl AwsBackend {
            $(
                $(#[$doc])*
                pub(crate) fn $accessor(&self, region: &str) -> $krate::Client {
                    self.client(region)
                }
            )*
        }
    };
    (@impl $krate:ident = $name:literal $(, |$config:ident, $endpoint:ident| $adjust:expr)?) => {
        impl Service for $krate::Client {
            const NAME: &'static str = $name;
            fn build(shared: &Shared<'_>, region: Region, partition: RetryPartition) -> Self {
                let config = $krate::config::Builder::from(shared.sdk)
                    .region(region)
                    .retry_partition(partition)
                    .interceptor(shared.counts.clone());
                $( let ($config, $endpoint) = (config, shared.endpoint); let config = $adjust; )?
                $krate::Client::from_conf(config.build())
            }
        }
    };
}

services! {
    global {
        aws_sdk_iam = "iam",
        aws_sdk_account = "account",
        aws_sdk_cloudfront = "cloudfront",
        aws_sdk_route53 = "route53",
        aws_sdk_organizations = "organizations",
    }
    regional {
        /// The EC2 client of `region` (EBS and VPC are EC2 API calls too).
        ec2: aws_sdk_ec2 = "ec2",
        cloudtrail: aws_sdk_cloudtrail = "cloudtrail",
        kms: aws_sdk_kms = "kms",
        sns: aws_sdk_sns = "sns",
        sqs: aws_sdk_sqs = "sqs",
        cloudwatch: aws_sdk_cloudwatch = "cloudwatch",
        logs: aws_sdk_cloudwatchlogs = "logs",
        guardduty: aws_sdk_guardduty = "guardduty",
        rds: aws_sdk_rds = "rds",
        elb: aws_sdk_elasticloadbalancing = "elasticloadbalancing",
        elbv2: aws_sdk_elasticloadbalancingv2 = "elasticloadbalancingv2",
        inspector2: aws_sdk_inspector2 = "inspector2",
        wafv2: aws_sdk_wafv2 = "wafv2",
    }
}

// Emulators: path-style addressing, checksums only where required.
services!(@impl aws_sdk_s3 = "s3", |config, endpoint| match endpoint {
    Some(_) => config
        .force_path_style(true)
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired),
    None => config,
});

// S3 Control puts the account id in front of the host name
// (`123456789012.127.0.0.1`); an emulator answers on its own address.
services!(@impl aws_sdk_s3control = "s3control", |config, endpoint| match endpoint {
    Some(url) => config.http_client(LimitedHttpClient::new(endpoint_http_client(url))),
    None => config,
});

/// A client of `C` for `region` with a retry partition named `partition`
/// (a token bucket of its own), outside the cache: the clients the backend
/// builds once at connect.
pub(super) fn build<C: Service>(shared: &Shared<'_>, region: Region, partition: &str) -> C {
    C::build(shared, region, retry_partition(partition))
}

impl AwsBackend {
    /// The client of `C` for `region`, built once by [`Service::build`] with
    /// the retry partition of that service in that region (a region that is
    /// down or throttled spends its own retries only), then cached.
    pub(crate) fn client<C: Service>(&self, region: &str) -> C {
        let key = (C::NAME, region.to_string());
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(c) = clients.get(&key).and_then(|c| c.downcast_ref::<C>()) {
            return c.clone();
        }
        let partition = retry_partition(&format!("{}-{region}", C::NAME));
        let shared = Shared {
            sdk: &self.sdk,
            endpoint: self.endpoint.as_deref(),
            counts: &self.base.counts,
        };
        let client = C::build(&shared, Region::new(region.to_string()), partition);
        clients.insert(key, Box::new(client.clone()));
        client
    }

    /// The S3 client for `region`: the SDK does not follow
    /// `PermanentRedirect`, so each bucket is read through its own region.
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.client(region)
    }

    /// Route 53 is global: one client, signed for the partition's home region.
    pub(crate) fn route53(&self) -> aws_sdk_route53::Client {
        self.client(global_signing_region(self.region()))
    }
}
