//! How close moat's S3 read comes to what the bare SDK can do against the
//! same endpoint with the same number of requests in flight.
//!
//!     cargo bench --bench s3_probe -- --endpoint http://127.0.0.1:PORT [--region R]
//!         [--concurrency 32] [--runs 3]
//!
//! `scripts/bench_s3.sh` starts moto, seeds it and runs this. Each run, in
//! turn:
//! - **sdk**: one `aws_sdk_s3::Client` per region, ListBuckets (paged, so
//!   each bucket comes with its region), then the five reads moat sends per
//!   bucket (public access block, policy, ACL, encryption, logging), all of
//!   them through one stream with `--concurrency` in flight;
//! - **moat**: the S3 part as moat collects it (`Backend::collect`), through
//!   a backend connected with `--max-concurrency` set to the same value.
//!
//! Requests per second are operations sent over wall time (moat: its own
//! request counter). The two alternate, so a slower emulator affects both;
//! the median of each and their ratio are printed. Without `--endpoint`
//! (as under `cargo test --all-targets`) it prints its usage and exits.

use futures::StreamExt;
use moat::aws::client::{AwsBackend, AwsOptions};
use moat::aws::inventory::PartId;
use moat::collect::Backend;
use std::collections::BTreeMap;
use std::time::Instant;

struct Args {
    endpoint: String,
    region: String,
    concurrency: usize,
    runs: usize,
}

fn args() -> Result<Option<Args>, String> {
    let mut endpoint = None;
    let mut region = "us-east-1".to_string();
    let mut concurrency = 32;
    let mut runs = 3;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--endpoint" => endpoint = Some(value("--endpoint")?),
            "--region" => region = value("--region")?,
            "--concurrency" => {
                concurrency = value("--concurrency")?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?;
            }
            "--runs" => {
                runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?;
            }
            // What cargo passes to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(endpoint.map(|endpoint| Args {
        endpoint,
        region,
        concurrency: concurrency.max(1),
        runs: runs.max(1),
    }))
}

/// The SDK's configuration for the emulator (credentials from the environment).
async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .load()
        .await
}

/// An S3 client of `region`, set up for an emulator as moat sets up its own.
fn s3_client(sdk: &aws_config::SdkConfig, region: &str) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .region(aws_config::Region::new(region.to_string()))
            .force_path_style(true)
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            )
            .build(),
    )
}

/// The bare SDK: requests sent and seconds taken.
async fn sdk_run(sdk: &aws_config::SdkConfig, concurrency: usize) -> Result<(u64, f64), String> {
    let start = Instant::now();
    let global = s3_client(sdk, "us-east-1");
    let mut buckets = Vec::new();
    let mut requests = 0u64;
    let mut pages = global
        .list_buckets()
        .max_buckets(10_000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        requests += 1;
        let page = page.map_err(|e| format!("ListBuckets: {e}"))?;
        for b in page.buckets() {
            let name = b.name().unwrap_or_default().to_string();
            let region = b.bucket_region().unwrap_or("us-east-1").to_string();
            buckets.push((name, region));
        }
    }
    let mut clients = BTreeMap::new();
    for (_, region) in &buckets {
        clients
            .entry(region.clone())
            .or_insert_with(|| s3_client(sdk, region));
    }
    let calls = buckets.iter().flat_map(|(name, region)| {
        let c = clients.get(region).cloned();
        (0..5).filter_map(move |op| Some((c.clone()?, name.clone(), op)))
    });
    // Every answer counts, "not set" errors included, as for moat.
    let sent = futures::stream::iter(calls)
        .map(|(c, name, op)| async move {
            let b = name.as_str();
            let _ = match op {
                0 => c.get_public_access_block().bucket(b).send().await.is_ok(),
                1 => c.get_bucket_policy().bucket(b).send().await.is_ok(),
                2 => c.get_bucket_acl().bucket(b).send().await.is_ok(),
                3 => c.get_bucket_encryption().bucket(b).send().await.is_ok(),
                _ => c.get_bucket_logging().bucket(b).send().await.is_ok(),
            };
            1u64
        })
        .buffer_unordered(concurrency)
        .fold(0u64, |n, one| async move { n + one })
        .await;
    requests += sent;
    Ok((requests, start.elapsed().as_secs_f64()))
}

/// moat's S3 part: requests sent and seconds taken.
async fn moat_run(backend: &AwsBackend) -> Result<(u64, f64), String> {
    let before = backend.requests_sent();
    let start = Instant::now();
    backend
        .collect(PartId::S3Buckets)
        .await
        .map_err(|e| format!("the S3 part: {e:?}"))?;
    Ok((
        backend.requests_sent() - before,
        start.elapsed().as_secs_f64(),
    ))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn run(a: Args) -> Result<(), String> {
    let sdk = sdk_config(&a.endpoint).await;
    let backend = AwsBackend::connect(AwsOptions {
        regions: vec![a.region.clone()],
        endpoint_url: Some(a.endpoint.clone()),
        max_concurrency: a.concurrency,
        ..AwsOptions::default()
    })
    .await
    .map_err(|e| format!("connect: {e}"))?;
    // Warm both up (moto builds its state per region on first use).
    sdk_run(&sdk, a.concurrency).await?;
    moat_run(&backend).await?;
    let (mut sdk_rates, mut moat_rates) = (Vec::new(), Vec::new());
    println!("run  what  requests  seconds  requests/s");
    for i in 1..=a.runs {
        let (n, s) = sdk_run(&sdk, a.concurrency).await?;
        println!("{i:>3}  sdk   {n:>8}  {s:>7.2}  {:>10.1}", n as f64 / s);
        sdk_rates.push(n as f64 / s);
        let (n, s) = moat_run(&backend).await?;
        println!("{i:>3}  moat  {n:>8}  {s:>7.2}  {:>10.1}", n as f64 / s);
        moat_rates.push(n as f64 / s);
    }
    let (sdk_rate, moat_rate) = (median(sdk_rates), median(moat_rates));
    println!(
        "median: sdk {sdk_rate:.1}/s, moat {moat_rate:.1}/s, moat/sdk {:.1}% (concurrency {})",
        100.0 * moat_rate / sdk_rate,
        a.concurrency
    );
    Ok(())
}

fn main() {
    let a = match args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!(
                "s3_probe: needs --endpoint URL of an emulator (see scripts/bench_s3.sh); nothing to do"
            );
            return;
        }
        Err(e) => {
            eprintln!("s3_probe: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("s3_probe: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(a)) {
        eprintln!("s3_probe: {e}");
        std::process::exit(1);
    }
}
