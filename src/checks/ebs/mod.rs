//! The `ebs` section: encryption by default, encrypted volumes, recent
//! snapshots, no public snapshots. Every finding names its region.

pub mod fix;

use super::kit;
use super::regions::{
    fail_in, fails, region_errors, region_resource, regional_counted, regional_outcome, res,
};
use super::{Ctx, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{ByRegion, EbsRef, EbsRegion, Snapshot, Volume};
use crate::aws::inventory::{Fetched, Inventory, PartId, ResourceRef};
use crate::guide::msg;
use chrono::{DateTime, Utc};

pub const ENCRYPTION_BY_DEFAULT: &str = "ebs.encryption-by-default";
pub const ENCRYPTED_VOLUMES: &str = "ebs.encrypted-volumes";
pub const RECENT_SNAPSHOTS: &str = "ebs.recent-snapshots";
pub const PUBLIC_SNAPSHOTS: &str = "ebs.public-snapshots";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: ENCRYPTION_BY_DEFAULT,
        section: "ebs",
        needs: &[PartId::EbsEncryption],
        cis: &["6.1.1"],
        security_hub: &["EC2.7"],
        check: encryption_by_default,
        fix: Fix::Plan(fix::encryption_by_default),
        inputs: &[],
    },
    ItemDef {
        id: ENCRYPTED_VOLUMES,
        section: "ebs",
        needs: &[PartId::Ebs],
        cis: &[],
        security_hub: &["EC2.3"],
        check: encrypted_volumes,
        // Guided, but the live state decides (the item needs a part); each
        // finding carries the exact steps for its volume.
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: RECENT_SNAPSHOTS,
        section: "ebs",
        needs: &[PartId::Ebs],
        cis: &[],
        security_hub: &[],
        check: recent_snapshots,
        fix: Fix::Plan(fix::recent_snapshots),
        inputs: &[],
    },
    ItemDef {
        id: PUBLIC_SNAPSHOTS,
        section: "ebs",
        needs: &[PartId::Ebs],
        cis: &[],
        security_hub: &["EC2.1"],
        check: public_snapshots,
        fix: Fix::Plan(fix::public_snapshots),
        inputs: &[],
    },
];

/// Volume `v` in `region`.
fn volume_ref(region: &str, v: &Volume) -> ResourceRef {
    ResourceRef::Ebs(EbsRef::Volume {
        region: region.to_string(),
        id: v.id.clone(),
    })
}

/// How findings name a volume: its id, with its Name tag when it has one.
pub fn volume_label(v: &Volume) -> String {
    match &v.name {
        Some(n) => format!("{} ({n})", v.id),
        None => v.id.clone(),
    }
}

fn ebs(inv: &Inventory) -> Option<&ByRegion<EbsRegion>> {
    inv.ebs.ready()
}

fn encryption_by_default(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(p) = inv.ebs_encryption.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    for (region, f) in &p.regions {
        let r = res(ResourceRef::Ebs(EbsRef::Encryption {
            region: region.clone(),
        }));
        match f {
            Fetched::Ready(true) => {}
            Fetched::Ready(false) => findings.push(kit::finding(
                r,
                Some(region),
                Status::Fail,
                msg(ENCRYPTION_BY_DEFAULT, "finding", &[("region", region)]),
            )),
            Fetched::Error(e) => findings.push(kit::region_error(r, region, e, None)),
        }
    }
    regional_counted(ENCRYPTION_BY_DEFAULT, findings, p.regions.len())
}

/// The exact replacement steps for one unencrypted volume.
pub fn replacement_steps(region: &str, v: &Volume) -> String {
    let az = v.availability_zone.as_str();
    let size = v.size.to_string();
    let kind = v.volume_type.as_str();
    let mut steps = vec![msg(
        ENCRYPTED_VOLUMES,
        "step_snapshot",
        &[("volume", &v.id), ("region", region)],
    )];
    steps.push(msg(ENCRYPTED_VOLUMES, "step_copy", &[("region", region)]));
    steps.push(msg(
        ENCRYPTED_VOLUMES,
        "step_volume",
        &[
            ("az", az),
            ("size", &size),
            ("type", kind),
            ("region", region),
        ],
    ));
    match v.attachments.first() {
        Some(a) => {
            steps.push(msg(
                ENCRYPTED_VOLUMES,
                "step_stop",
                &[("instance", &a.instance_id), ("region", region)],
            ));
            steps.push(msg(
                ENCRYPTED_VOLUMES,
                "step_swap",
                &[
                    ("volume", &v.id),
                    ("instance", &a.instance_id),
                    ("device", &a.device),
                    ("region", region),
                ],
            ));
            steps.push(msg(
                ENCRYPTED_VOLUMES,
                "step_start",
                &[("instance", &a.instance_id), ("region", region)],
            ));
        }
        None => steps.push(msg(ENCRYPTED_VOLUMES, "step_unattached", &[])),
    }
    steps.push(msg(
        ENCRYPTED_VOLUMES,
        "step_cleanup",
        &[("volume", &v.id), ("region", region)],
    ));
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("({}) {s}", i + 1))
        .collect::<Vec<_>>()
        .join(" ")
}

fn encrypted_volumes(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(p) = ebs(inv) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
    for (region, f) in &p.regions {
        let r = match f {
            Fetched::Ready(r) => r,
            Fetched::Error(e) => {
                findings.push(kit::region_error(region_resource(region), region, e, None));
                continue;
            }
        };
        total += r.volumes.len();
        for v in r.volumes.iter().filter(|v| !v.encrypted) {
            let attached = match v.attachments.first() {
                Some(a) => msg(
                    ENCRYPTED_VOLUMES,
                    "attached",
                    &[("instance", &a.instance_id), ("device", &a.device)],
                ),
                None => msg(ENCRYPTED_VOLUMES, "unattached", &[]),
            };
            let size = v.size.to_string();
            let detail = msg(
                ENCRYPTED_VOLUMES,
                "finding",
                &[
                    ("volume", &volume_label(v)),
                    ("size", &size),
                    ("az", &v.availability_zone),
                    ("attached", &attached),
                    ("steps", &replacement_steps(region, v)),
                ],
            );
            findings.push(fail_in(volume_ref(region, v), region, detail));
        }
    }
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(ENCRYPTED_VOLUMES, "none", &[]));
    }
    regional_counted(ENCRYPTED_VOLUMES, findings, total)
}

/// When the snapshot was taken; one not started yet (just asked for) is now.
fn taken(s: &Snapshot, now: DateTime<Utc>) -> DateTime<Utc> {
    s.start_time.unwrap_or(now)
}

/// The volume's newest usable snapshot (a failed one does not count).
pub fn newest_snapshot<'a>(
    r: &'a EbsRegion,
    v: &Volume,
    now: DateTime<Utc>,
) -> Option<&'a Snapshot> {
    r.snapshots
        .iter()
        .filter(|s| s.volume_id.as_deref() == Some(v.id.as_str()) && s.state != "error")
        .max_by_key(|s| taken(s, now))
}

/// An in-use volume without a recent snapshot: its region, the volume, and
/// its newest snapshot with its age in days, when it has one.
pub type StaleVolume<'a> = (&'a str, &'a Volume, Option<(&'a Snapshot, i64)>);

/// In-use volumes without a snapshot younger than the limit, per region read.
pub fn stale_volumes<'a>(p: &'a ByRegion<EbsRegion>, ctx: &Ctx) -> Vec<StaleVolume<'a>> {
    let max = ctx.settings.snapshot_max_age_days;
    let mut out = vec![];
    for (region, r) in p.iter_ready() {
        for v in r.volumes.iter().filter(|v| v.in_use()) {
            let newest = newest_snapshot(r, v, ctx.now)
                .map(|s| (s, (ctx.now - taken(s, ctx.now)).num_days()));
            if newest.is_none_or(|(_, age)| age >= max) {
                out.push((region, v, newest));
            }
        }
    }
    out
}

fn recent_snapshots(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let Some(p) = ebs(inv) else {
        return Outcome::pass(String::new());
    };
    let max = ctx.settings.snapshot_max_age_days.to_string();
    let mut findings = region_errors(p);
    for (region, v, newest) in stale_volumes(p, ctx) {
        let detail = match newest {
            None => msg(
                RECENT_SNAPSHOTS,
                "never",
                &[("volume", &volume_label(v)), ("max", &max)],
            ),
            Some((s, age)) => msg(
                RECENT_SNAPSHOTS,
                "old",
                &[
                    ("volume", &volume_label(v)),
                    ("snapshot", &s.id),
                    ("age", &age.to_string()),
                    ("max", &max),
                ],
            ),
        };
        findings.push(fail_in(volume_ref(region, v), region, detail));
    }
    let in_use = p
        .iter_ready()
        .map(|(_, r)| r.volumes.iter().filter(|v| v.in_use()).count())
        .sum::<usize>();
    if in_use == 0 && findings.is_empty() {
        return Outcome::pass(msg(RECENT_SNAPSHOTS, "none", &[]));
    }
    let bad = fails(&findings);
    let in_use = in_use.to_string();
    regional_outcome(
        findings,
        msg(
            RECENT_SNAPSHOTS,
            "pass",
            &[("count", &in_use), ("max", &max)],
        ),
        msg(
            RECENT_SNAPSHOTS,
            "fail",
            &[("count", &bad), ("total", &in_use), ("max", &max)],
        ),
    )
}

fn public_snapshots(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(p) = ebs(inv) else {
        return Outcome::pass(String::new());
    };
    let mut findings = region_errors(p);
    let mut total = 0usize;
    for (region, r) in p.iter_ready() {
        total += r.snapshots.len();
        for s in &r.snapshots {
            let res = res(ResourceRef::Ebs(EbsRef::Snapshot {
                region: region.to_string(),
                id: s.id.clone(),
            }));
            let volume = s.volume_id.as_deref().unwrap_or("-");
            let encryption = msg(
                PUBLIC_SNAPSHOTS,
                if s.encrypted {
                    "encrypted"
                } else {
                    "unencrypted"
                },
                &[],
            );
            match &s.public {
                Fetched::Ready(false) => {}
                Fetched::Ready(true) => findings.push(kit::finding(
                    res,
                    Some(region),
                    Status::Fail,
                    msg(
                        PUBLIC_SNAPSHOTS,
                        "finding",
                        &[
                            ("snapshot", &s.id),
                            ("volume", volume),
                            ("encrypted", &encryption),
                        ],
                    ),
                )),
                Fetched::Error(e) => findings.push(kit::region_error(res, region, e, None)),
            }
        }
    }
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(PUBLIC_SNAPSHOTS, "none", &[]));
    }
    let bad = fails(&findings);
    let total = total.to_string();
    regional_outcome(
        findings,
        msg(PUBLIC_SNAPSHOTS, "pass", &[("count", &total)]),
        msg(PUBLIC_SNAPSHOTS, "fail", &[("count", &bad)]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::Part;
    use crate::checks::testkit::*;

    #[test]
    fn encryption_by_default_per_region() {
        let t = T::new();
        let mut inv = empty();
        inv.ebs_encryption = Part::of(regions(vec![
            ("eu-west-1", Fetched::Ready(true)),
            ("us-east-1", Fetched::Ready(true)),
        ]));
        assert_eq!(t.status(&inv, ENCRYPTION_BY_DEFAULT), Status::Pass);
        inv.ebs_encryption = Part::of(regions(vec![
            ("eu-west-1", Fetched::Ready(false)),
            ("us-east-1", Fetched::Ready(true)),
            (
                "us-west-2",
                Fetched::Error(denied("ec2:GetEbsEncryptionByDefault")),
            ),
        ]));
        let r = t.eval(&inv, ENCRYPTION_BY_DEFAULT);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.findings(&inv, ENCRYPTION_BY_DEFAULT),
            vec![
                (
                    "ebs-encryption/eu-west-1".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
                (
                    "ebs-encryption/us-west-2".into(),
                    "us-west-2".into(),
                    Status::Error
                ),
            ]
        );
        assert!(
            r.findings[1]
                .detail
                .contains("ec2:GetEbsEncryptionByDefault")
        );
        // Only an unreadable region left: error, not pass.
        inv.ebs_encryption = Part::of(regions(vec![
            ("us-east-1", Fetched::Ready(true)),
            (
                "us-west-2",
                Fetched::Error(denied("ec2:GetEbsEncryptionByDefault")),
            ),
        ]));
        let r = t.eval(&inv, ENCRYPTION_BY_DEFAULT);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("us-west-2"), "{}", r.summary);
        // The whole part failing errors the item and names the action.
        inv.set_error(
            PartId::EbsEncryption,
            denied("ec2:GetEbsEncryptionByDefault"),
        );
        let r = t.eval(&inv, ENCRYPTION_BY_DEFAULT);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("ec2:GetEbsEncryptionByDefault"));
        inv.ebs_encryption = Part::Loading;
        assert_eq!(t.status(&inv, ENCRYPTION_BY_DEFAULT), Status::Loading);
    }

    #[test]
    fn unencrypted_volumes_carry_their_exact_steps() {
        let t = T::new();
        let mut attached = volume("vol-0abc", false, Some("i-0web"));
        attached.availability_zone = "eu-west-1b".into();
        attached.name = Some("web-root".into());
        attached.size = 80;
        let inv = with_ebs(
            empty(),
            vec![
                (
                    "eu-west-1",
                    Fetched::Ready(EbsRegion {
                        volumes: vec![
                            attached,
                            volume("vol-0enc", true, Some("i-0db")),
                            volume("vol-0spare", false, None),
                        ],
                        snapshots: vec![],
                    }),
                ),
                ("us-east-1", Fetched::Error(denied("ec2:DescribeVolumes"))),
            ],
        );
        let r = t.eval(&inv, ENCRYPTED_VOLUMES);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.findings(&inv, ENCRYPTED_VOLUMES),
            vec![
                (
                    "volume/eu-west-1/vol-0abc".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
                (
                    "volume/eu-west-1/vol-0spare".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
                ("region/us-east-1".into(), "us-east-1".into(), Status::Error),
            ]
        );
        let detail = &r.findings[0].detail;
        for needle in [
            "vol-0abc (web-root)",
            "80 GiB",
            "--availability-zone eu-west-1b",
            "--instance-ids i-0web",
            "--device /dev/xvda",
            "--region eu-west-1",
            "--encrypted",
            "(1)",
        ] {
            assert!(detail.contains(needle), "{needle}: {detail}");
        }
        assert!(
            r.findings[1].detail.contains("not attached"),
            "{}",
            r.findings[1].detail
        );
        // Guided, and the live state decides.
        let def = crate::checks::item(ENCRYPTED_VOLUMES).expect("item");
        assert!(def.has_steps() && !def.can_mark_done());
        let none = with_ebs(
            empty(),
            vec![("us-east-1", Fetched::Ready(EbsRegion::default()))],
        );
        let r = t.eval(&none, ENCRYPTED_VOLUMES);
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("no EBS volumes"), "{}", r.summary);
    }

    #[test]
    fn recent_snapshots_use_the_configured_age() {
        let mut t = T::new();
        let mut failed = snapshot("snap-failed", "vol-a", 0, false);
        failed.state = "error".into();
        let mut pending = snapshot("snap-pending", "vol-c", 0, false);
        pending.start_time = None;
        let inv = with_ebs(
            empty(),
            vec![(
                "us-east-1",
                Fetched::Ready(EbsRegion {
                    volumes: vec![
                        volume("vol-a", false, Some("i-1")),
                        volume("vol-b", false, Some("i-2")),
                        volume("vol-c", false, Some("i-3")),
                        volume("vol-idle", false, None),
                    ],
                    snapshots: vec![
                        failed,
                        snapshot("snap-a-old", "vol-a", 10, false),
                        snapshot("snap-b", "vol-b", 3, false),
                        pending,
                    ],
                }),
            )],
        );
        let r = t.eval(&inv, RECENT_SNAPSHOTS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.findings(&inv, RECENT_SNAPSHOTS),
            vec![(
                "volume/us-east-1/vol-a".into(),
                "us-east-1".into(),
                Status::Fail
            )]
        );
        assert!(
            r.findings[0].detail.contains("snap-a-old") && r.findings[0].detail.contains("10 day")
        );
        // A stricter limit fails the 3-day-old one too; a looser one passes all.
        t.settings.snapshot_max_age_days = 2;
        assert_eq!(t.findings(&inv, RECENT_SNAPSHOTS).len(), 2);
        t.settings.snapshot_max_age_days = 30;
        assert_eq!(t.status(&inv, RECENT_SNAPSHOTS), Status::Pass);
        assert!(t.eval(&inv, RECENT_SNAPSHOTS).summary.contains("30"));
        // Never snapshotted.
        let never = with_ebs(
            empty(),
            vec![(
                "us-east-1",
                Fetched::Ready(EbsRegion {
                    volumes: vec![volume("vol-n", false, Some("i-9"))],
                    snapshots: vec![],
                }),
            )],
        );
        let r = t.eval(&never, RECENT_SNAPSHOTS);
        assert!(
            r.findings[0].detail.contains("never"),
            "{}",
            r.findings[0].detail
        );
    }

    #[test]
    fn public_snapshots_fail_per_snapshot() {
        let t = T::new();
        let inv = with_ebs(
            empty(),
            vec![(
                "ap-southeast-2",
                Fetched::Ready(EbsRegion {
                    volumes: vec![],
                    snapshots: vec![
                        snapshot("snap-pub", "vol-1", 1, true),
                        snapshot("snap-priv", "vol-1", 1, false),
                    ],
                }),
            )],
        );
        assert_eq!(
            t.findings(&inv, PUBLIC_SNAPSHOTS),
            vec![(
                "snapshot/ap-southeast-2/snap-pub".into(),
                "ap-southeast-2".into(),
                Status::Fail
            )]
        );
        let none = with_ebs(
            empty(),
            vec![("us-east-1", Fetched::Ready(EbsRegion::default()))],
        );
        assert_eq!(t.status(&none, PUBLIC_SNAPSHOTS), Status::Pass);
    }
}
