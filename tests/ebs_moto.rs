//! The EBS section against moto: for each item moto can hold, seed a
//! failing state, scan → fail (the finding names its region), apply → the
//! live state (read back with the SDK) is what the preview said, scan →
//! pass, undo → the previous state is back.
//!
//! Covered here: ebs.encryption-by-default (moto does not encrypt new
//! volumes by it, but Get/Enable/Disable round-trip), ebs.recent-snapshots
//! (a tagged snapshot, deleted by undo), ebs.public-snapshots, and snapshots
//! listed by owner.
//!
//! Not here (unit-tested in src/checks and src/plan): ebs.encrypted-volumes
//! (guided: no API call) and snapshot age (moto stamps every snapshot with
//! the current time).

mod support;

use support::run::{apply_verified, assert_ok, scan_item, status_and_region as finding, undo_ok};
use support::seed_ebs::ec2_client;
use support::seed_ebs::instance_root_volume;
use support::seed_vpc::warm_up;
use support::{ACCOUNT_ID, Moto, block_on, output_text, run_moat, temp_state_dir};

const US: &str = "us-east-1";

async fn encryption_by_default(ep: &str, region: &str) -> bool {
    ec2_client(ep, region)
        .await
        .get_ebs_encryption_by_default()
        .send()
        .await
        .expect("get ebs encryption")
        .ebs_encryption_by_default()
        .unwrap_or(false)
}

/// Snapshots moat made (tag `moat:created-by = moat`): (id, volume, Name).
async fn moat_snapshots(ep: &str) -> Vec<(String, String, String)> {
    let out = ec2_client(ep, US)
        .await
        .describe_snapshots()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("owner-id")
                .values(ACCOUNT_ID)
                .build(),
        )
        .send()
        .await
        .expect("snapshots");
    out.snapshots()
        .iter()
        .filter(|s| {
            s.tags()
                .iter()
                .any(|t| t.key() == Some("moat:created-by") && t.value() == Some("moat"))
        })
        .map(|s| {
            let name = s
                .tags()
                .iter()
                .find(|t| t.key() == Some("Name"))
                .and_then(|t| t.value())
                .unwrap_or_default()
                .to_string();
            (
                s.snapshot_id().unwrap_or_default().to_string(),
                s.volume_id().unwrap_or_default().to_string(),
                name,
            )
        })
        .collect()
}

async fn public_groups(ep: &str, snapshot: &str) -> Vec<String> {
    ec2_client(ep, US)
        .await
        .describe_snapshot_attribute()
        .snapshot_id(snapshot)
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .send()
        .await
        .expect("attribute")
        .create_volume_permissions()
        .iter()
        .filter_map(|p| p.group().map(|g| g.as_str().to_string()))
        .collect()
}

#[test]
fn ebs_items_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    warm_up(ep, &[US]);

    // Encryption by default: off → on (read back) → undo → off.
    let r = "ebs-encryption/us-east-1";
    let scan = scan_item(ep, st, &["--region", US], "ebs.encryption-by-default");
    assert_eq!(
        finding(&scan, r),
        Some(("fail".into(), US.into())),
        "{scan}"
    );
    assert!(!block_on(encryption_by_default(ep, US)));
    apply_verified(
        ep,
        st,
        &["--region", US],
        &["apply", "ebs.encryption-by-default", "--yes"],
    );
    assert!(block_on(encryption_by_default(ep, US)));
    let scan = scan_item(ep, st, &["--region", US], "ebs.encryption-by-default");
    assert_eq!(scan["status"], "pass", "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert!(!block_on(encryption_by_default(ep, US)));

    // Recent snapshots: the root volume of a new instance has none.
    let volume = block_on(instance_root_volume(ep));
    let r = format!("volume/{US}/{volume}");
    let scan = scan_item(ep, st, &["--region", US], "ebs.recent-snapshots");
    assert_eq!(
        finding(&scan, &r),
        Some(("fail".into(), US.into())),
        "{scan}"
    );
    let o = run_moat(ep, st, &["--region", US, "plan", "ebs.recent-snapshots"]);
    assert_ok(&o);
    let preview = output_text(&o);
    assert!(
        preview.contains("moat:created-by") && preview.contains(&volume),
        "{preview}"
    );
    apply_verified(
        ep,
        st,
        &["--region", US],
        &["apply", "ebs.recent-snapshots", "--yes", "--resource", &r],
    );
    let made = block_on(moat_snapshots(ep));
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].1, volume);
    assert!(
        made[0].2.starts_with(&format!("moat-{volume}-")),
        "{made:?}"
    );
    let scan = scan_item(ep, st, &["--region", US], "ebs.recent-snapshots");
    assert_eq!(finding(&scan, &r), None, "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert!(block_on(moat_snapshots(ep)).is_empty());

    // Public snapshots: a seeded public snapshot → private → undo → public.
    block_on(async {
        support::seed_vpc::seed_failing(ep).await;
        support::seed_ebs::seed_failing(ep).await;
    });
    let all = block_on(async {
        ec2_client(ep, US)
            .await
            .describe_snapshots()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("description")
                    .values("seeded, public")
                    .build(),
            )
            .send()
            .await
            .expect("snapshots")
    });
    let snap = all.snapshots()[0].snapshot_id().expect("id").to_string();
    let r = format!("snapshot/{US}/{snap}");
    let scan = scan_item(ep, st, &["--region", US], "ebs.public-snapshots");
    assert_eq!(
        finding(&scan, &r),
        Some(("fail".into(), US.into())),
        "{scan}"
    );
    apply_verified(
        ep,
        st,
        &["--region", US],
        &["apply", "ebs.public-snapshots", "--yes", "--resource", &r],
    );
    assert!(block_on(public_groups(ep, &snap)).is_empty());
    let scan = scan_item(ep, st, &["--region", US], "ebs.public-snapshots");
    assert_eq!(scan["status"], "pass", "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(block_on(public_groups(ep, &snap)), vec!["all".to_string()]);
}

/// The account's snapshots are listed with `OwnerIds=self`, never with an
/// `owner-id` filter alone (which makes AWS search every public snapshot of
/// every account first); the launcher honours OwnerIds and
/// RestorableByUserIds as AWS does, so the public snapshot is still found.
#[test]
fn snapshots_are_listed_by_owner_self() {
    let moto = Moto::start();
    let state = temp_state_dir();
    warm_up(moto.endpoint.as_str(), &[US]);
    let volume = block_on(instance_root_volume(moto.endpoint.as_str()));
    let snapshot = block_on(async {
        let ec2 = ec2_client(&moto.endpoint, US).await;
        let id = ec2
            .create_snapshot()
            .volume_id(&volume)
            .send()
            .await
            .expect("create snapshot")
            .snapshot_id()
            .unwrap_or_default()
            .to_string();
        ec2.modify_snapshot_attribute()
            .snapshot_id(&id)
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .operation_type(aws_sdk_ec2::types::OperationType::Add)
            .group_names("all")
            .send()
            .await
            .expect("make it public");
        id
    });
    let proxy = support::Proxy::start(moto.port);
    let scan = scan_item(
        proxy.endpoint.as_str(),
        state.path(),
        &["--region", US],
        "ebs.public-snapshots",
    );
    assert_eq!(scan["status"], "fail", "{scan}");
    assert!(scan.to_string().contains(&snapshot), "{scan}");
    let describes: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.operation == "DescribeSnapshots")
        .collect();
    assert!(!describes.is_empty(), "{:?}", proxy.operations());
    for r in describes {
        assert!(
            r.params
                .iter()
                .any(|(k, v)| k.starts_with("Owner") && v == "self"),
            "{:?}",
            r.params
        );
        assert!(
            !r.params.iter().any(|(_, v)| v == "owner-id"),
            "{:?}",
            r.params
        );
    }
}
