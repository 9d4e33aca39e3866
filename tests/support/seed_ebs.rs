//! Seeds moto with resources that fail the EBS section's items, for the
//! tests that cover every item (zero mutation, least-privilege IAM policy).

#![allow(dead_code)]

use super::REGION;
use super::{Proxy, run};
use std::path::Path;

/// An EC2 client for the emulator at `ep`, signing for `region`.
pub async fn ec2_client(ep: &str, region: &str) -> aws_sdk_ec2::Client {
    test_client!(aws_sdk_ec2, ep, region)
}

/// The snapshots in us-east-1 that moat made (tag `moat:created-by = moat`).
pub async fn moat_snapshots(ep: &str) -> Vec<aws_sdk_ec2::types::Snapshot> {
    ec2_client(ep, REGION)
        .await
        .describe_snapshots()
        .owner_ids("self")
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:moat:created-by")
                .values("moat")
                .build(),
        )
        .send()
        .await
        .expect("snapshots")
        .snapshots()
        .to_vec()
}

/// `moat --region us-east-1 apply ebs.recent-snapshots --resource
/// volume/us-east-1/VOLUME --yes` through `proxy`, the answer of its
/// CreateSnapshot lost once (see [`run::apply_losing_answer`]).
pub fn snapshot_losing_answer(proxy: &Proxy, state: &Path, volume: &str) {
    let resource = format!("volume/{REGION}/{volume}");
    run::apply_losing_answer(
        proxy,
        state,
        "CreateSnapshot",
        &[
            "--region",
            REGION,
            "apply",
            "ebs.recent-snapshots",
            "--resource",
            &resource,
            "--yes",
        ],
    );
}

/// An instance (its root volume is in use, unencrypted, never snapshotted)
/// and a spare volume whose snapshot is public. Moto's regions start with
/// encryption by default off, which fails the other item.
pub async fn seed_failing(ep: &str) {
    let ec2 = ec2_client(ep, REGION).await;
    run_instance(&ec2).await;
    let volume = ec2
        .create_volume()
        .availability_zone(format!("{REGION}a"))
        .size(10)
        .send()
        .await
        .expect("volume");
    let snapshot = ec2
        .create_snapshot()
        .volume_id(volume.volume_id().expect("volume id"))
        .description("seeded, public")
        .send()
        .await
        .expect("snapshot");
    ec2.modify_snapshot_attribute()
        .snapshot_id(snapshot.snapshot_id().expect("snapshot id"))
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .operation_type(aws_sdk_ec2::types::OperationType::Add)
        .group_names("all")
        .send()
        .await
        .expect("public snapshot");
}

/// Runs one t3.micro instance.
async fn run_instance(
    ec2: &aws_sdk_ec2::Client,
) -> aws_sdk_ec2::operation::run_instances::RunInstancesOutput {
    ec2.run_instances()
        .image_id("ami-12c6146b")
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .expect("run instance")
}

/// Runs an instance in us-east-1; the id of its root volume.
pub async fn instance_root_volume(ep: &str) -> String {
    let ec2 = ec2_client(ep, REGION).await;
    let run = run_instance(&ec2).await;
    let instance = run.instances()[0].instance_id().expect("id").to_string();
    let vols = ec2
        .describe_volumes()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("attachment.instance-id")
                .values(&instance)
                .build(),
        )
        .send()
        .await
        .expect("volumes");
    vols.volumes()[0].volume_id().expect("volume").to_string()
}
