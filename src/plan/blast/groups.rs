//! The blast radius of a security group change: what uses the group.

use super::{Note, sorted};
use crate::aws::inventory::{Inventory, SgKey};

pub(super) fn group_note(inv: &Inventory, group: SgKey, deleted: bool) -> Note {
    let net = inv.ec2_network.region(&group.region);
    let id = net
        .and_then(|n| n.group(&group.vpc_id, &group.group_name))
        .map(|g| g.id.clone());
    let Some(id) = id else {
        // The region, or the group, was not read: nothing is known.
        return Note::SecurityGroup {
            group,
            deleted,
            interfaces: None,
            instances: None,
            load_balancers: None,
            db_instances: None,
        };
    };
    let enis: Vec<&crate::aws::inventory::NetworkInterface> = net
        .map(|n| {
            n.network_interfaces
                .iter()
                .filter(|e| e.groups.contains(&id))
                .collect()
        })
        .unwrap_or_default();
    let interfaces = enis
        .iter()
        .map(|e| {
            if e.description.is_empty() {
                e.id.clone()
            } else {
                format!("{} ({})", e.id, e.description)
            }
        })
        .collect();
    let mut instance_ids: Vec<&str> = enis
        .iter()
        .filter_map(|e| e.instance_id.as_deref())
        .collect();
    instance_ids.sort_unstable();
    instance_ids.dedup();
    let known = inv.ec2_instances.region(&group.region);
    let instances = instance_ids
        .iter()
        .map(|i| {
            known
                .and_then(|k| k.instances.iter().find(|x| x.id == *i))
                .map(|x| x.label())
                .unwrap_or_else(|| i.to_string())
        })
        .collect();
    // A region the part does not cover, or where it failed, was not read.
    let load_balancers = inv.elb.region(&group.region).map(|r| {
        sorted(
            r.load_balancers
                .iter()
                .filter(|l| l.security_groups.contains(&id))
                .map(|l| format!("{} ({})", l.name, l.kind))
                .chain(
                    r.classic
                        .iter()
                        .filter(|c| c.security_groups.contains(&id))
                        .map(|c| format!("{} (classic)", c.name)),
                ),
        )
    });
    let db_instances = inv.rds.region(&group.region).map(|r| {
        sorted(
            r.instances
                .iter()
                .filter(|d| d.vpc_security_groups.contains(&id))
                .map(|d| format!("{} ({})", d.id, d.engine)),
        )
    });
    Note::SecurityGroup {
        group,
        deleted,
        interfaces: Some(interfaces),
        instances: Some(instances),
        load_balancers,
        db_instances,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::Part;
    use crate::aws::ops;
    use crate::plan::Op;
    use crate::plan::blast::radius;
    use crate::plan::blast::testkit::*;
    use serde_json::{Value, json};

    const VPC: &str = "vpc-1";

    fn group(id: &str, name: &str) -> Value {
        json!({"id": id, "name": name, "vpc_id": VPC, "ingress": [
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "source": {"ipv4": "0.0.0.0/0"}}
        ]})
    }

    /// Groups `web` (sg-1), `alb` (sg-2), `db` (sg-3) and `spare` (sg-4):
    /// web on instance web-1's interface, alb on an ALB and a classic load
    /// balancer, db on a DB instance, spare on nothing.
    fn network() -> Inventory {
        inventory(json!({
            "ec2_network": regional(json!({
                "security_groups": [
                    group("sg-1", "web"), group("sg-2", "alb"),
                    group("sg-3", "db"), group("sg-4", "spare")
                ],
                "network_interfaces": [
                    {"id": "eni-1", "description": "web-1 primary", "groups": ["sg-1"],
                     "instance_id": "i-1"},
                    {"id": "eni-2", "description": "ELB app/shop/1", "groups": ["sg-2"]}
                ]
            })),
            "ec2_instances": regional(json!({"instances": [
                {"id": "i-1", "name": "web-1", "image_id": "ami-1", "state": "running",
                 "http_tokens": "required", "http_endpoint": "enabled"}
            ]})),
            "elb": regional(json!({
                "load_balancers": [{"name": "shop", "arn": "arn:lb/shop", "type": "application",
                    "scheme": "internet-facing", "security_groups": ["sg-2"], "listeners": []}],
                "classic": [{"name": "old-shop", "scheme": "internet-facing",
                    "security_groups": ["sg-2"], "listeners": []}]
            })),
            "rds": regional(json!({"instances": [
                {"id": "orders", "engine": "postgres", "publicly_accessible": false,
                 "storage_encrypted": true, "vpc_security_groups": ["sg-3"]}
            ]}))
        }))
    }

    fn key(name: &str) -> SgKey {
        SgKey {
            region: R.into(),
            vpc_id: VPC.into(),
            group_name: name.into(),
        }
    }

    fn revoke(name: &str) -> Op {
        Op::RevokeSecurityGroupIngress(ops::RevokeSecurityGroupIngress {
            group: key(name),
            rules: vec![],
        })
    }

    fn users(n: &Note) -> [Option<Vec<String>>; 4] {
        let Note::SecurityGroup {
            interfaces,
            instances,
            load_balancers,
            db_instances,
            ..
        } = n
        else {
            panic!("{n:?}")
        };
        [
            interfaces.clone(),
            instances.clone(),
            load_balancers.clone(),
            db_instances.clone(),
        ]
    }

    #[test]
    fn a_group_on_an_instance_names_its_interface_and_the_instance() {
        let n = one(&network(), &[revoke("web")]);
        assert_eq!(
            users(&n),
            [
                some(&["eni-1 (web-1 primary)"]),
                some(&["web-1 (i-1)"]),
                some(&[]),
                some(&[]),
            ]
        );
        let text = n.lines().join("\n");
        assert!(text.contains("web in vpc-1 (us-east-1)"), "{text}");
        assert!(text.contains("instances: web-1 (i-1)"), "{text}");
        assert!(text.contains("load balancers: none"), "{text}");
    }

    #[test]
    fn a_group_on_load_balancers_names_both_kinds() {
        let n = one(&network(), &[revoke("alb")]);
        assert_eq!(
            users(&n)[2],
            some(&["old-shop (classic)", "shop (application)"])
        );
        // The load balancer's own interface, but no instance.
        assert_eq!(users(&n)[1], some(&[]));
    }

    #[test]
    fn a_group_on_a_db_instance_names_it() {
        let n = one(&network(), &[revoke("db")]);
        assert_eq!(users(&n)[3], some(&["orders (postgres)"]));
        assert!(
            n.lines()
                .join("\n")
                .contains("DB instances: orders (postgres)")
        );
    }

    #[test]
    fn an_unused_group_says_so_and_several_ops_on_one_group_make_one_note() {
        let del = Op::DeleteSecurityGroup(ops::DeleteSecurityGroup {
            group: key("spare"),
        });
        let n = notes(&network(), &[revoke("spare"), del]);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(matches!(n[0], Note::SecurityGroup { deleted: true, .. }));
        let lines = n[0].lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("uses it now"), "{lines:?}");
        assert!(lines[0].contains("deleted"), "{lines:?}");
    }

    #[test]
    fn parts_not_read_are_not_reported_as_none() {
        let mut inv = network();
        inv.elb = Part::Loading;
        inv.rds = Part::Loading;
        let n = one(&inv, &[revoke("db")]);
        assert_eq!(users(&n)[2], None);
        assert_eq!(users(&n)[3], None);
        let text = n.lines().join("\n");
        assert!(text.contains("load balancers: not read"), "{text}");
        assert!(!text.contains("uses it now"), "{text}");
        // A group moat never read: nothing known at all.
        let n = radius(&inv, &inv, &[revoke("elsewhere")]);
        assert_eq!(users(&n[0]), [None, None, None, None]);
    }
}
