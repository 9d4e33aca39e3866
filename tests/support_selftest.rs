//! Tests of the test harness itself (tests/support): moto lifecycle, the
//! counting proxy, reset.

mod support;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::*;

#[test]
fn moto_starts_answers_and_stops_without_leftovers() {
    let t0 = Instant::now();
    let mut moto = Moto::start();
    eprintln!("moto startup: {:?}", moto.startup);
    assert!(moto.endpoint.starts_with("http://127.0.0.1:"));
    let (status, _) =
        http::request(moto.port, "GET", "/moto-api/", b"", Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200);
    let pid = moto.pid();
    assert!(pid_alive(pid));
    assert!(moto.is_running());
    let log = moto.log_path().to_path_buf();
    let port = moto.port;

    let t_stop = Instant::now();
    drop(moto);
    eprintln!("moto stop: {:?}", t_stop.elapsed());
    assert!(!pid_alive(pid), "moto pid {pid} still alive after drop");
    assert!(!log.exists(), "log file removed after a passing test");
    // The port is free again.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    eprintln!("start+stop total: {:?}", t0.elapsed());
}

#[test]
fn stop_is_idempotent() {
    let mut moto = Moto::start();
    let pid = moto.pid();
    moto.stop();
    assert!(!pid_alive(pid));
    moto.stop();
    assert!(!moto.is_running());
}

#[test]
fn two_servers_run_side_by_side() {
    let a = Moto::start();
    let b = Moto::start();
    assert_ne!(a.port, b.port);
    assert_ne!(a.pid(), b.pid());
}

#[test]
fn s3_get_bucket_versioning_root_element_is_patched() {
    let moto = Moto::start();
    let timeout = Duration::from_secs(10);
    // Unsigned path-style requests are fine for moto.
    let (status, _) = http::request(moto.port, "PUT", "/bucket-one", b"", timeout).unwrap();
    assert_eq!(status, 200);
    let (status, body) =
        http::request(moto.port, "GET", "/bucket-one?versioning", b"", timeout).unwrap();
    assert_eq!(status, 200);
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains(
            r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#
        ),
        "{body}"
    );
    assert!(!body.contains("GetBucketVersioningResponse"), "{body}");

    let put = br#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#;
    let (status, _) =
        http::request(moto.port, "PUT", "/bucket-one?versioning", put, timeout).unwrap();
    assert_eq!(status, 200);
    let (_, body) =
        http::request(moto.port, "GET", "/bucket-one?versioning", b"", timeout).unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("<Status>Enabled</Status></VersioningConfiguration>"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_clears_state() {
    let moto = Moto::start();
    let iam = iam_client(&moto.endpoint).await;
    iam.create_user().user_name("alice").send().await.unwrap();
    let users = iam.list_users().send().await.unwrap();
    assert_eq!(users.users().len(), 1);

    let t = Instant::now();
    moto.reset();
    eprintln!("moto reset: {:?}", t.elapsed());
    let users = iam.list_users().send().await.unwrap();
    assert!(users.users().is_empty(), "{:?}", users.users());
    // Managed policies are loaded again after a reset.
    let policy = iam
        .get_policy()
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    assert!(policy.policy().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_counts_iam_reads_and_mutations() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let iam = iam_client(&proxy.endpoint).await;

    let users = iam.list_users().send().await.unwrap();
    assert!(users.users().is_empty());
    assert_eq!(proxy.operations(), ["ListUsers"]);
    assert!(proxy.mutating().is_empty());

    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.generate_credential_report().send().await.unwrap();
    let users = iam.list_users().send().await.unwrap();
    assert_eq!(users.users()[0].user_name(), "alice");

    assert_eq!(
        proxy.operations(),
        [
            "ListUsers",
            "CreateUser",
            "CreateAccessKey",
            "GenerateCredentialReport",
            "ListUsers"
        ]
    );
    assert_eq!(proxy.mutating(), ["CreateUser", "CreateAccessKey"]);
    assert_eq!(proxy.count("ListUsers"), 2);
    let requests = proxy.requests();
    assert!(requests.iter().all(|r| r.service.as_deref() == Some("iam")));
    assert!(
        requests.iter().all(|r| r.status == Some(200)),
        "{requests:?}"
    );

    // An error response is forwarded and recorded too.
    let err = iam
        .create_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("EntityAlreadyExists")
    );
    assert_eq!(proxy.requests().last().unwrap().status, Some(409));

    proxy.clear();
    assert!(proxy.operations().is_empty());
    let sts = sts_client(&proxy.endpoint).await;
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account(), Some(ACCOUNT_ID));
    assert_eq!(me.arn(), Some(CALLER_ARN));
    assert_eq!(proxy.operations(), ["GetCallerIdentity"]);
    assert_eq!(
        proxy.requests()[0].service.as_deref(),
        Some("sts"),
        "{:?}",
        proxy.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_counts_rest_account_calls() {
    use aws_sdk_account::types::AlternateContactType;

    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let account = account_client(&proxy.endpoint).await;

    account
        .put_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .name("Sec Team")
        .title("SecOps")
        .email_address("sec@example.com")
        .phone_number("+1-555-0100")
        .send()
        .await
        .unwrap();
    let got = account
        .get_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .send()
        .await
        .unwrap();
    let contact = got.alternate_contact().unwrap();
    assert_eq!(contact.email_address(), Some("sec@example.com"));

    assert_eq!(
        proxy.operations(),
        ["PutAlternateContact", "GetAlternateContact"]
    );
    assert_eq!(proxy.mutating(), ["PutAlternateContact"]);
    let requests = proxy.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].target, "/putAlternateContact");
    assert_eq!(requests[0].service.as_deref(), Some("account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_handles_concurrent_requests() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let iam = iam_client(&proxy.endpoint).await;
    // Warm up: moto loads the IAM backend (with ~1,000 managed policies)
    // on first use; 20 concurrent cold requests each pay for it (~4 s).
    iam.list_groups().send().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let iam = iam.clone();
        tasks.push(tokio::spawn(async move {
            iam.create_group()
                .group_name(format!("group-{i}"))
                .send()
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let groups = iam.list_groups().send().await.unwrap();
    assert_eq!(groups.groups().len(), 20);
    assert_eq!(proxy.count("CreateGroup"), 20);
    assert_eq!(proxy.mutating().len(), 20);
    assert_eq!(proxy.operations().len(), 22);
}

/// Raw HTTP/1.1 through the proxy: two requests on one keep-alive
/// connection (the second chunked) against a fake upstream that keeps the
/// connection open, so the proxy's framing is exercised without moto.
#[test]
fn proxy_keep_alive_and_chunked_bodies() {
    let upstream = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let upstream_port = upstream.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (stream, _) = upstream.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut bodies = Vec::new();
        for i in 0..2 {
            let head = http::read_head(&mut reader).unwrap().unwrap();
            let body = if head.is_chunked() {
                http::read_chunked_body(&mut reader).unwrap()
            } else {
                let len = head.content_length().unwrap().unwrap_or(0);
                http::read_exact_body(&mut reader, len).unwrap()
            };
            bodies.push(String::from_utf8(body.decoded).unwrap());
            if i == 0 {
                writer
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                    .unwrap();
            } else {
                writer
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                          3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n",
                    )
                    .unwrap();
            }
        }
        bodies
    });

    let proxy = Proxy::start(upstream_port);
    let client = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut writer = client;
    let json_target = "X-Amz-Target: AmazonSSM.DescribeParameters\r\n";
    writer
        .write_all(
            format!("POST / HTTP/1.1\r\nHost: x\r\n{json_target}Content-Length: 2\r\n\r\n{{}}")
                .as_bytes(),
        )
        .unwrap();
    let first = http::read_response(&mut reader, false).unwrap();
    assert_eq!(first.body, b"first");
    writer
        .write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n\
              7\r\nAction=\r\n11\r\nDeleteLoginProfil\r\n1\r\ne\r\n0\r\n\r\n",
        )
        .unwrap();
    let second = http::read_response(&mut reader, false).unwrap();
    assert_eq!(second.body, b"second");

    let bodies = server.join().unwrap();
    assert_eq!(bodies, ["{}", "Action=DeleteLoginProfile"]);
    assert_eq!(
        proxy.operations(),
        ["DescribeParameters", "DeleteLoginProfile"]
    );
    assert_eq!(proxy.mutating(), ["DeleteLoginProfile"]);
    let requests = proxy.requests();
    assert_eq!(requests[0].conn, requests[1].conn, "same client connection");
}

#[test]
fn proxy_answers_502_when_upstream_is_down() {
    let dead_port = free_port();
    let proxy = Proxy::start(dead_port);
    let (status, body) = http::request(
        proxy.port,
        "POST",
        "/",
        b"Action=ListUsers&Version=2010-05-08",
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
    // Recorded even though it failed (no content type: body sniffed).
    assert_eq!(proxy.operations(), ["ListUsers"]);
    assert_eq!(proxy.requests()[0].status, Some(502));
}

fn hdr(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn classify_names_operations() {
    let s3_auth = hdr(&[(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, \
         SignedHeaders=host, Signature=abc",
    )]);
    let op = |m: &str, t: &str, h: &[(String, String)]| classify(m, t, h, b"").operation;
    assert_eq!(op("GET", "/", &s3_auth), "ListBuckets");
    assert_eq!(op("PUT", "/b", &s3_auth), "CreateBucket");
    assert_eq!(op("GET", "/b?versioning", &s3_auth), "GetBucketVersioning");
    assert_eq!(op("PUT", "/b?versioning", &s3_auth), "PutBucketVersioning");
    assert_eq!(
        op("GET", "/b?policyStatus", &s3_auth),
        "GetBucketPolicyStatus"
    );
    assert_eq!(op("DELETE", "/b?policy", &s3_auth), "DeleteBucketPolicy");
    assert_eq!(
        op("GET", "/b?list-type=2&prefix=x", &s3_auth),
        "ListObjectsV2"
    );
    assert_eq!(op("GET", "/putbucket", &s3_auth), "ListObjects");
    assert_eq!(op("GET", "/b/k/x.txt", &s3_auth), "GetObject");
    assert_eq!(op("PUT", "/b/k?acl", &s3_auth), "PutObjectAcl");
    assert_eq!(op("POST", "/b?delete", &s3_auth), "DeleteObjects");
    assert_eq!(
        op(
            "PUT",
            "/v20180820/configuration/publicAccessBlock",
            &s3_auth
        ),
        "PutPublicAccessBlock"
    );
    assert!(!classify("GET", "/putbucket", &s3_auth, b"").mutating);
    assert!(classify("PUT", "/b?publicAccessBlock", &s3_auth, b"").mutating);

    let account_auth = hdr(&[(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/account/aws4_request, \
         SignedHeaders=host, Signature=abc",
    )]);
    let c = classify("POST", "/deleteAlternateContact", &account_auth, b"{}");
    assert_eq!(c.operation, "DeleteAlternateContact");
    assert!(c.mutating);
    assert_eq!(c.service.as_deref(), Some("account"));

    let cbor = classify(
        "POST",
        "/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
        &[],
        b"",
    );
    assert_eq!(cbor.operation, "DescribeAlarms");
    assert!(!cbor.mutating);

    let unknown = classify("GET", "/2020-05-31/distribution", &[], b"");
    assert_eq!(unknown.operation, "GET /2020-05-31/distribution");
    assert!(!unknown.mutating);
    assert!(classify("PUT", "/2020-05-31/distribution/X/config", &[], b"").mutating);

    let cf_auth = hdr(&[(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudfront/aws4_request, \
         SignedHeaders=host, Signature=abc",
    )]);
    assert_eq!(
        op("GET", "/2020-05-31/distribution", &cf_auth),
        "ListDistributions"
    );
    assert_eq!(
        op("GET", "/2020-05-31/distribution/E1/config", &cf_auth),
        "GetDistributionConfig"
    );
    let update = classify("PUT", "/2020-05-31/distribution/E1/config", &cf_auth, b"");
    assert_eq!(update.operation, "UpdateDistribution");
    assert!(update.mutating);
    assert_eq!(
        op("POST", "/2020-05-31/origin-access-control", &cf_auth),
        "CreateOriginAccessControl"
    );
    assert_eq!(
        op("GET", "/2020-05-31/origin-access-control", &cf_auth),
        "ListOriginAccessControls"
    );
    assert!(
        classify(
            "DELETE",
            "/2020-05-31/origin-access-control/X",
            &cf_auth,
            b""
        )
        .mutating
    );

    let query = classify(
        "POST",
        "/",
        &hdr(&[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )]),
        b"Version=2010-05-08&Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=14",
    );
    assert_eq!(query.operation, "UpdateAccountPasswordPolicy");
    assert!(query.mutating);
}

#[test]
fn mutating_prefixes() {
    for op in [
        "CreateUser",
        "putAlternateContact",
        "DeleteAccessKey",
        "UpdateAccessKey",
        "AttachUserPolicy",
        "DetachRolePolicy",
        "AddUserToGroup",
        "RemoveUserFromGroup",
        "EnableMFADevice",
        "DeactivateMFADevice",
        "TagUser",
        "UntagUser",
        "SetDefaultPolicyVersion",
        "ChangePassword",
        "RevokeSecurityGroupIngress",
        "AuthorizeSecurityGroupIngress",
        "ModifySnapshotAttribute",
        "UploadServerCertificate",
        "AssociateVpcCidrBlock",
        "DisassociateAddress",
        "StartLogging",
        "StopLogging",
    ] {
        assert!(is_mutating_operation(op), "{op}");
    }
    for op in [
        "ListUsers",
        "GetAccountPasswordPolicy",
        "GenerateCredentialReport",
        "GetCredentialReport",
        "DescribeSecurityGroups",
        "GetCallerIdentity",
        "GetAlternateContact",
        "BatchGetAccountStatus",
        "HeadBucket",
    ] {
        assert!(!is_mutating_operation(op), "{op}");
    }
}

#[test]
fn moat_cmd_isolates_the_environment() {
    let state = temp_state_dir();
    let cmd = moat_cmd("http://127.0.0.1:1", state.path());
    assert!(cmd.get_program().to_string_lossy().ends_with("moat"));
    let envs: std::collections::HashMap<String, Option<String>> = cmd
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.map(|v| v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let get = |k: &str| envs.get(k).cloned().flatten();
    assert_eq!(
        get("AWS_ENDPOINT_URL").as_deref(),
        Some("http://127.0.0.1:1")
    );
    assert_eq!(get("AWS_ACCESS_KEY_ID").as_deref(), Some("testing"));
    assert_eq!(get("AWS_SECRET_ACCESS_KEY").as_deref(), Some("testing"));
    assert_eq!(get("AWS_REGION").as_deref(), Some("us-east-1"));
    assert_eq!(get("AWS_EC2_METADATA_DISABLED").as_deref(), Some("true"));
    assert_eq!(get("MOAT_MAX_ATTEMPTS").as_deref(), Some("1"));
    assert_eq!(
        get("MOAT_STATE_DIR").as_deref(),
        Some(state.path().to_str().unwrap())
    );
    // Anything AWS_* / MOAT_* inherited from this process is removed.
    for (key, _) in std::env::vars() {
        if (key.starts_with("AWS_") || key.starts_with("MOAT_")) && !envs.contains_key(&key) {
            panic!("{key} inherited");
        }
    }
}

// ---- fault injection (no moto: a tiny local upstream) ----

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::proxy::{FaultKind, Faults, Only};

/// A tiny upstream on 127.0.0.1: answers every request `200 ok` with
/// `Connection: close`, counting the requests it answered.
fn tiny_upstream() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let Ok(Some(head)) = http::read_head(&mut reader) else {
                    return;
                };
                let len = head.content_length().ok().flatten().unwrap_or(0);
                let _ = http::read_exact_body(&mut reader, len);
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = writer.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            });
        }
    });
    (port, served)
}

/// One request signed (in form only) for `service`: `Ok((status, body))`, or
/// the error when the proxy closed without answering.
fn signed(port: u16, service: &str, action: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = format!("Action={action}&Version=2010-05-08");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    let mut reader = BufReader::new(stream);
    let r = http::read_response(&mut reader, false)?;
    Ok((r.status, String::from_utf8_lossy(&r.body).into_owned()))
}

const ALL_KINDS: [FaultKind; 6] = [
    FaultKind::Delay(5),
    FaultKind::Status503,
    FaultKind::Status500,
    FaultKind::Throttle,
    FaultKind::Drop,
    FaultKind::ForwardThenDrop,
];

fn run_seeded(seed: u64) -> (Vec<Option<FaultKind>>, usize, Proxy) {
    let (port, served) = tiny_upstream();
    let proxy = Proxy::start(port);
    proxy.faults(Faults {
        fraction: 0.5,
        seed,
        kinds: ALL_KINDS.to_vec(),
        service: None,
        only: None,
    });
    for _ in 0..120 {
        let r = signed(proxy.port, "iam", "ListUsers");
        let last = proxy.requests().last().cloned().unwrap();
        match last.fault {
            None | Some(FaultKind::Delay(_)) => assert_eq!(r.unwrap().0, 200),
            Some(FaultKind::Status503) => assert_eq!(r.unwrap().0, 503),
            Some(FaultKind::Status500) => assert_eq!(r.unwrap().0, 500),
            Some(FaultKind::Throttle | FaultKind::ThrottleAfter(_)) => {
                let (status, body) = r.unwrap();
                assert_eq!(status, 400);
                assert!(body.contains("<Code>Throttling</Code>"), "{body}");
            }
            Some(FaultKind::Drop) | Some(FaultKind::ForwardThenDrop) => {
                assert!(r.is_err(), "closed without an answer: {r:?}")
            }
        }
    }
    let faults = proxy.requests().iter().map(|r| r.fault).collect();
    // The upstream answers on its own thread after the proxy read the answer.
    std::thread::sleep(Duration::from_millis(100));
    (faults, served.load(Ordering::SeqCst), proxy)
}

#[test]
fn proxy_faults_are_seeded_deterministic_and_counted() {
    let (a, served, proxy) = run_seeded(7);
    let (b, _, _) = run_seeded(7);
    assert_eq!(a, b, "same seed, same arrival order: same faults");
    let (c, _, _) = run_seeded(8);
    assert_ne!(a, c, "another seed, other faults");
    let faulted = a.iter().filter(|f| f.is_some()).count();
    assert!((35..=85).contains(&faulted), "about half of 120: {faulted}");
    for k in ALL_KINDS {
        assert!(proxy.fault_count(k) > 0, "{k:?} injected");
    }
    assert_eq!(proxy.faulted().len(), faulted);
    // Upstream saw exactly the requests that were forwarded.
    let forwarded = a.iter().filter(|f| f.is_none_or(|k| k.forwards())).count();
    assert_eq!(served, forwarded);
    // A forwarded-then-dropped request records what upstream answered.
    let ftd = proxy
        .requests()
        .into_iter()
        .find(|r| r.fault == Some(FaultKind::ForwardThenDrop))
        .unwrap();
    assert_eq!(ftd.status, Some(200));
    proxy.clear_faults();
    for _ in 0..10 {
        assert_eq!(signed(proxy.port, "iam", "ListUsers").unwrap().0, 200);
    }
}

#[test]
fn proxy_faults_filter_by_service_and_by_mutation() {
    let (port, _) = tiny_upstream();
    let proxy = Proxy::start(port);
    proxy.faults(Faults {
        fraction: 1.0,
        seed: 1,
        kinds: vec![FaultKind::Throttle],
        service: Some("s3".into()),
        only: None,
    });
    assert_eq!(signed(proxy.port, "iam", "ListUsers").unwrap().0, 200);
    let (status, body) = signed(proxy.port, "s3", "ListUsers").unwrap();
    assert_eq!(status, 503);
    assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
    let (status, body) = {
        proxy.faults(Faults {
            fraction: 1.0,
            seed: 1,
            kinds: vec![FaultKind::Throttle],
            service: Some("account".into()),
            only: None,
        });
        signed(proxy.port, "account", "ListUsers").unwrap()
    };
    assert_eq!(status, 400);
    assert!(body.contains("ThrottlingException"), "{body}");

    proxy.faults(Faults {
        fraction: 1.0,
        seed: 1,
        kinds: vec![FaultKind::Status500],
        service: None,
        only: Some(Only::Mutating),
    });
    assert_eq!(signed(proxy.port, "iam", "ListUsers").unwrap().0, 200);
    assert_eq!(signed(proxy.port, "iam", "CreateUser").unwrap().0, 500);
    proxy.faults(Faults {
        fraction: 1.0,
        seed: 1,
        kinds: vec![FaultKind::Status500],
        service: None,
        only: Some(Only::Reads),
    });
    assert_eq!(signed(proxy.port, "iam", "ListUsers").unwrap().0, 500);
    assert_eq!(signed(proxy.port, "iam", "CreateUser").unwrap().0, 200);
}

#[test]
fn proxy_hard_down_fails_every_request_of_one_service() {
    let (port, served) = tiny_upstream();
    let proxy = Proxy::start(port);
    proxy.down("s3", FaultKind::Status503);
    proxy.down("cloudfront", FaultKind::Drop);
    for _ in 0..5 {
        assert_eq!(signed(proxy.port, "s3", "ListUsers").unwrap().0, 503);
        assert!(signed(proxy.port, "cloudfront", "ListUsers").is_err());
        assert_eq!(signed(proxy.port, "iam", "ListUsers").unwrap().0, 200);
    }
    assert_eq!(proxy.fault_count(FaultKind::Status503), 5);
    assert_eq!(proxy.fault_count(FaultKind::Drop), 5);
    proxy.up("s3");
    assert_eq!(signed(proxy.port, "s3", "ListUsers").unwrap().0, 200);
    proxy.clear_faults();
    assert_eq!(
        signed(proxy.port, "cloudfront", "ListUsers").unwrap().0,
        200
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(served.load(Ordering::SeqCst), 7);
}
