//! Retries against moto behind the fault proxy, measured request by request:
//!
//! - a region that keeps failing spends its own retry budget: once it is
//!   gone, that region's requests are sent once (no retry storm), while the
//!   same service in another region still retries its transient failures;
//! - throttled requests give their concurrency slot back while they back
//!   off: with one slot, three requests waiting out a retry-after wait
//!   together, not one after the other, and another request runs meanwhile.

mod support;

use moat::aws::inventory::{Fetched, PartId, PartValue};
use moat::collect::Backend;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::backend::{connect, set_test_env};
use support::proxy::{FaultKind, Rule};
use support::seed_ebs::ec2_client;
use support::{Moto, Proxy};

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";
const DE: &str = "eu-central-1";

/// moto builds a region's EC2 backend on its first request (slow): build
/// them before the proxy times anything.
async fn warm_up(moto: &Moto, regions: &[&str]) {
    for r in regions {
        ec2_client(&moto.endpoint, r)
            .await
            .describe_volumes()
            .send()
            .await
            .expect("warm up");
    }
}

/// Requests of the failing region that got its 503, and the storm's reads
/// that finished, over `window`.
async fn rate(
    proxy: &Proxy,
    reads: &AtomicUsize,
    window: Duration,
) -> (usize /* faults */, usize /* reads */) {
    let (f0, r0) = (
        proxy.fault_count(FaultKind::Status503),
        reads.load(Ordering::Relaxed),
    );
    tokio::time::sleep(window).await;
    (
        proxy.fault_count(FaultKind::Status503) - f0,
        reads.load(Ordering::Relaxed) - r0,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_region_fails_fast_while_another_region_keeps_its_retries() {
    set_test_env();
    let moto = Moto::start();
    warm_up(&moto, &[US]).await;
    let proxy = Proxy::start(moto.port);
    let b = Arc::new(connect(&proxy.endpoint, &[US, EU], 3, 16).await);
    // eu-west-1's EC2 answers nothing but 503 (transient: each retry of it
    // costs 10 of the budget's 1000 tokens).
    proxy.rule(Rule::new(FaultKind::Status503).service("ec2").region(EU));
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut storm = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (b, stop, reads) = (b.clone(), stop.clone(), reads.clone());
        storm.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let _ = b.collect(PartId::EbsEncryption).await;
                reads.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    // Until eu-west-1's budget is spent, each of its reads is sent 3 times;
    // then once.
    let t = Instant::now();
    let spent = loop {
        let (faults, n) = rate(&proxy, &reads, Duration::from_millis(1000)).await;
        if n >= 10 && faults * 10 <= n * 12 {
            break true;
        }
        if t.elapsed() > Duration::from_secs(60) {
            break false;
        }
    };
    // Still spent (the storm keeps it so): eu-west-1 is not retried.
    let (faults, n) = rate(&proxy, &reads, Duration::from_millis(1500)).await;
    eprintln!(
        "eu-west-1 spent after {:?}: then {faults} attempts for {n} reads",
        t.elapsed()
    );
    assert!(spent, "eu-west-1's retries never ran out");
    assert!(
        n >= 10 && faults * 10 <= n * 13,
        "eu-west-1 is still retried: {faults} attempts for {n} reads"
    );
    // Meanwhile us-east-1's DescribeVolumes meets two transient failures
    // (not an operation the storm sends): its own budget pays both retries.
    proxy.rule(
        Rule::new(FaultKind::Status500)
            .service("ec2")
            .region(US)
            .operation("DescribeVolumes")
            .times(2),
    );
    let r = b.collect(PartId::Ebs).await;
    stop.store(true, Ordering::Relaxed);
    while storm.join_next().await.is_some() {}
    assert_eq!(
        proxy.fault_count(FaultKind::Status500),
        2,
        "us-east-1 was sent its two failures"
    );
    let Ok(PartValue::Ebs(p)) = r else {
        panic!("the part failed: {r:?}");
    };
    assert!(
        matches!(p.regions.get(US), Some(Fetched::Ready(_))),
        "us-east-1 was read on its third attempt: {:?}",
        p.regions.get(US)
    );
    assert!(matches!(p.regions.get(EU), Some(Fetched::Error(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_requests_back_off_together_and_free_the_only_slot() {
    set_test_env();
    let moto = Moto::start();
    warm_up(&moto, &[US, EU, DE]).await;
    let proxy = Proxy::start(moto.port);
    // One slot for every request.
    let b = Arc::new(connect(&proxy.endpoint, &[US, EU, DE], 3, 1).await);
    // Each region's first read is throttled with a 3 s retry-after.
    proxy.rule(
        Rule::new(FaultKind::ThrottleAfter(3000))
            .operation("GetEbsEncryptionByDefault")
            .times(3),
    );
    let throttled = {
        let b = b.clone();
        tokio::spawn(async move {
            let t = Instant::now();
            (b.collect(PartId::EbsEncryption).await, t.elapsed())
        })
    };
    // All three throttled: each gave the slot back to let the next one go.
    let t = Instant::now();
    while proxy.fault_count(FaultKind::ThrottleAfter(3000)) < 3
        && t.elapsed() < Duration::from_secs(20)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_waiting = t.elapsed();
    let t = Instant::now();
    let other = b.collect(PartId::PasswordPolicy).await;
    let other_took = t.elapsed();
    let (r, throttled_took) = throttled.await.expect("join");
    eprintln!(
        "three throttled reads: all waiting after {all_waiting:?}, done after {throttled_took:?}; \
         another read during their wait: {other_took:?}"
    );
    // The bounds are logical, not timing goals: one retry-after is 3 s, so a
    // read that waited for another's backoff takes at least that long.
    assert!(
        all_waiting < Duration::from_millis(2900),
        "the throttled reads waited out their retry-after one after the other: {all_waiting:?}"
    );
    assert!(other.is_ok(), "{other:?}");
    assert!(
        other_took < Duration::from_millis(2900),
        "the other read waited for a throttled read's slot: {other_took:?}"
    );
    let Ok(PartValue::EbsEncryption(p)) = &r else {
        panic!("the part failed: {r:?}");
    };
    for region in [US, EU, DE] {
        assert!(
            matches!(p.regions.get(region), Some(Fetched::Ready(_))),
            "{region} read on retry: {:?}",
            p.regions.get(region)
        );
    }
    assert!(
        throttled_took >= Duration::from_millis(2900)
            && throttled_took < Duration::from_millis(8900),
        "three 3 s retry-afters waited together: {throttled_took:?}"
    );
    // The retries came after the other read: the slot was taken back.
    let ops: Vec<String> = proxy.operations();
    let last_other = ops
        .iter()
        .rposition(|o| o == "GetAccountPasswordPolicy")
        .expect("password policy read");
    let retries = ops
        .iter()
        .enumerate()
        .filter(|(i, o)| *o == "GetEbsEncryptionByDefault" && *i > last_other)
        .count();
    assert_eq!(retries, 3, "{ops:?}");
}
