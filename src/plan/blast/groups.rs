//! The blast radius of a security group change: what uses the group, and
//! the members of the groups its removed rules named as source (they lose
//! the access those rules gave them).

use super::{Note, T, list, sorted};
use crate::aws::inventory::{Inventory, NetworkInterface, SgKey, SgRule, SgSource};
use crate::guide::msg;
use serde::{Deserialize, Serialize};

/// What uses a group: network interfaces, instances, load balancers, DB
/// instances; a list is `None` when its part (or the region) was not read.
pub(super) type Users = [Option<Vec<String>>; 4];

/// A group named as the source (ingress) or destination (egress) of rules
/// the plan removes or narrows: its members lose the access they gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCut {
    /// `sg-… (name)`, or the bare id when moat did not read that group.
    pub group: String,
    /// The rules were outbound ones (the members stop receiving traffic).
    pub egress: bool,
    /// Whether moat read the group (`false`: another account, a peered VPC).
    pub known: bool,
    /// The rules named the changed group itself: its own members lose that
    /// access to each other.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub itself: bool,
    pub interfaces: Option<Vec<String>>,
    pub instances: Option<Vec<String>>,
    pub load_balancers: Option<Vec<String>>,
    pub db_instances: Option<Vec<String>>,
}

pub(super) fn group_note(
    before: &Inventory,
    after: &Inventory,
    group: SgKey,
    deleted: bool,
) -> Note {
    let net = before.ec2_network.region(&group.region);
    let found = net.and_then(|n| n.group(&group.vpc_id, &group.group_name));
    let Some(found) = found else {
        // The region, or the group, was not read: nothing is known.
        return Note::SecurityGroup {
            group,
            deleted,
            interfaces: None,
            instances: None,
            load_balancers: None,
            db_instances: None,
            sources: vec![],
        };
    };
    let [interfaces, instances, load_balancers, db_instances] =
        users(before, &group.region, &found.id);
    // The group's rules after the plan (none when it is deleted).
    let kept = after
        .ec2_network
        .region(&group.region)
        .and_then(|n| n.group(&group.vpc_id, &group.group_name));
    let mut sources = vec![];
    for (egress, rules) in [(false, &found.ingress), (true, &found.egress)] {
        let now: &[SgRule] = match kept {
            Some(k) if egress => &k.egress,
            Some(k) => &k.ingress,
            None => &[],
        };
        let mut cut: Vec<&str> = rules
            .iter()
            .filter(|r| !now.iter().any(|n| n.same_permission(r)))
            .filter_map(|r| match &r.source {
                SgSource::Group(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        cut.sort_unstable();
        cut.dedup();
        for id in cut {
            let mut c = source_cut(before, &group.region, id, egress);
            // A rule naming the group itself: its members (named above)
            // lose that access to each other.
            if id == found.id {
                c = SourceCut {
                    itself: true,
                    interfaces: None,
                    instances: None,
                    load_balancers: None,
                    db_instances: None,
                    ..c
                };
            }
            sources.push(c);
        }
    }
    Note::SecurityGroup {
        group,
        deleted,
        interfaces,
        instances,
        load_balancers,
        db_instances,
        sources,
    }
}

fn source_cut(inv: &Inventory, region: &str, id: &str, egress: bool) -> SourceCut {
    let named = inv
        .ec2_network
        .region(region)
        .and_then(|n| n.group_by_id(id));
    let [interfaces, instances, load_balancers, db_instances] = match named {
        Some(_) => users(inv, region, id),
        None => [None, None, None, None],
    };
    SourceCut {
        group: match named {
            Some(g) => format!("{id} ({})", g.name),
            None => id.to_string(),
        },
        egress,
        known: named.is_some(),
        itself: false,
        interfaces,
        instances,
        load_balancers,
        db_instances,
    }
}

impl SourceCut {
    /// The cut in words: whose access goes, and who they are.
    pub fn line(&self) -> String {
        if self.itself {
            return msg(T, "source_self", &[]);
        }
        let key = match (self.known, self.egress) {
            (false, _) => return msg(T, "source_unread", &[("group", &self.group)]),
            (true, false) => "source_ingress",
            (true, true) => "source_egress",
        };
        let kinds = [
            ("interfaces", &self.interfaces),
            ("instances", &self.instances),
            ("load_balancers", &self.load_balancers),
            ("db_instances", &self.db_instances),
        ];
        let named: Vec<String> = kinds
            .iter()
            .filter(|(_, l)| !matches!(l, Some(v) if v.is_empty()))
            .map(|(k, l)| msg(T, k, &[("list", &list(l))]))
            .collect();
        let members = if named.is_empty() {
            msg(T, "members_none", &[])
        } else {
            named.join("; ")
        };
        msg(T, key, &[("group", &self.group), ("members", &members)])
    }
}

/// A network interface with what owns it: `eni-… (Lambda)` for one an AWS
/// service created, `eni-… (its description)` for the others.
fn interface_label(e: &NetworkInterface) -> String {
    match owner(e) {
        Some(key) => {
            let requester = e.requester_id.as_deref().unwrap_or_default();
            let who = msg(T, key, &[("requester", requester)]);
            // ELB writes the load balancer's name: "ELB app/NAME/ID".
            let name = e.description.strip_prefix("ELB ").map(|rest| {
                let mut it = rest.split('/');
                match (it.next(), it.next()) {
                    (Some(_), Some(name)) => name,
                    (Some(name), None) => name,
                    _ => rest,
                }
            });
            match name {
                Some(name) if !name.is_empty() => {
                    let who = msg(T, "owner_named", &[("owner", &who), ("name", name)]);
                    format!("{} ({who})", e.id)
                }
                _ => format!("{} ({who})", e.id),
            }
        }
        None if e.description.is_empty() => e.id.clone(),
        None => format!("{} ({})", e.id, e.description),
    }
}

/// The message key of the service that owns an interface, read from what
/// DescribeNetworkInterfaces returns: its type, then the description the
/// service writes, then who requested it; `None` for the account's own.
fn owner(e: &NetworkInterface) -> Option<&'static str> {
    let by_type = match e.interface_type.as_deref().unwrap_or_default() {
        "lambda" => Some("owner_lambda"),
        "natGateway" | "nat_gateway" => Some("owner_nat"),
        "vpc_endpoint" => Some("owner_vpce"),
        "gateway_load_balancer_endpoint" => Some("owner_gwlbe"),
        "network_load_balancer" => Some("owner_nlb"),
        "gateway_load_balancer" => Some("owner_gwlb"),
        "transit_gateway" => Some("owner_tgw"),
        "api_gateway_managed" => Some("owner_apigw"),
        "quicksight" => Some("owner_quicksight"),
        "global_accelerator_managed" => Some("owner_ga"),
        "iot_rules_managed" => Some("owner_iot"),
        "aws_codestar_connections_managed" => Some("owner_codestar"),
        "trunk" | "branch" => Some("owner_ecs"),
        _ => None,
    };
    if by_type.is_some() {
        return by_type;
    }
    let d = e.description.as_str();
    const BY_DESCRIPTION: &[(&str, &str)] = &[
        ("ELB app/", "owner_alb"),
        ("ELB net/", "owner_nlb"),
        ("ELB gwy/", "owner_gwlb"),
        ("ELB ", "owner_clb"),
        ("RDSNetworkInterface", "owner_rds"),
        ("AWS Lambda VPC ENI", "owner_lambda"),
        ("EFS mount target", "owner_efs"),
        ("Amazon EKS", "owner_eks"),
        ("ElastiCache", "owner_elasticache"),
        ("Interface for NAT Gateway", "owner_nat"),
        ("VPC Endpoint Interface", "owner_vpce"),
        ("AWS created network interface for directory", "owner_ds"),
        ("DMSNetworkInterface", "owner_dms"),
    ];
    if let Some((_, key)) = BY_DESCRIPTION.iter().find(|(p, _)| d.starts_with(p)) {
        return Some(key);
    }
    // arn:PARTITION:ecs:REGION:ACCOUNT:attachment/… (awsvpc tasks)
    if d.starts_with("arn:") && d.contains(":ecs:") {
        return Some("owner_ecs");
    }
    match e.requester_id.as_deref() {
        Some("amazon-elb") => Some("owner_elb"),
        Some("amazon-rds") => Some("owner_rds"),
        Some("amazon-elasticache") => Some("owner_elasticache"),
        _ if e.interface_type.as_deref() == Some("load_balancer") => Some("owner_elb"),
        Some(_) if e.requester_managed => Some("owner_aws"),
        None if e.requester_managed => Some("owner_aws_unknown"),
        _ => None,
    }
}

/// What uses group `id` of `region`.
fn users(inv: &Inventory, region: &str, id: &str) -> Users {
    let Some(net) = inv.ec2_network.region(region) else {
        return [None, None, None, None];
    };
    let id = id.to_string();
    let enis: Vec<&NetworkInterface> = net
        .network_interfaces
        .iter()
        .filter(|e| e.groups.contains(&id))
        .collect();
    let interfaces = enis.iter().map(|e| interface_label(e)).collect();
    let mut instance_ids: Vec<&str> = enis
        .iter()
        .filter_map(|e| e.instance_id.as_deref())
        .collect();
    instance_ids.sort_unstable();
    instance_ids.dedup();
    let known = inv.ec2_instances.region(region);
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
    let load_balancers = inv.elb.region(region).map(|r| {
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
    let db_instances = inv.rds.region(region).map(|r| {
        sorted(
            r.instances
                .iter()
                .filter(|d| d.vpc_security_groups.contains(&id))
                .map(|d| format!("{} ({})", d.id, d.engine)),
        )
    });
    [
        Some(interfaces),
        Some(instances),
        load_balancers,
        db_instances,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{Inventory, Part};
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

    fn from_group(port: i32, id: &str) -> SgRule {
        SgRule {
            protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            source: SgSource::Group(id.into()),
            description: None,
        }
    }

    /// `network()` with group db (sg-3) admitting 5432 from web (sg-1) and
    /// from sg-9 (a group of another account), and 6432 from itself.
    fn with_sources() -> Inventory {
        let mut inv = network();
        let Some(net) = inv.ec2_network.ready_mut().and_then(|r| r.ready_mut(R)) else {
            panic!("region read")
        };
        let Some(db) = net.group_mut(VPC, "db") else {
            panic!("db")
        };
        db.ingress = vec![
            from_group(5432, "sg-1"),
            from_group(5432, "sg-9"),
            from_group(6432, "sg-3"),
        ];
        inv
    }

    fn sources(n: &Note) -> &[SourceCut] {
        match n {
            Note::SecurityGroup { sources, .. } => sources,
            _ => panic!("{n:?}"),
        }
    }

    #[test]
    fn a_revoked_rule_from_another_group_names_that_groups_members() {
        let inv = with_sources();
        let op = Op::RevokeSecurityGroupIngress(ops::RevokeSecurityGroupIngress {
            group: key("db"),
            rules: vec![from_group(5432, "sg-1")],
        });
        let n = one(&inv, &[op]);
        let cut = sources(&n);
        assert_eq!(cut.len(), 1, "{cut:?}");
        assert_eq!(cut[0].group, "sg-1 (web)");
        assert_eq!(cut[0].instances, some(&["web-1 (i-1)"]));
        let text = n.lines().join("\n");
        assert!(
            text.contains("members of sg-1 (web) lose the inbound access"),
            "{text}"
        );
        assert!(text.contains("instances: web-1 (i-1)"), "{text}");
        // A rule kept, or a revoke that names nothing, cuts no one.
        assert!(sources(&one(&inv, &[revoke("db")])).is_empty());
    }

    #[test]
    fn a_deleted_group_cuts_every_source_group_and_an_unread_one_is_said_so() {
        let del = Op::DeleteSecurityGroup(ops::DeleteSecurityGroup { group: key("db") });
        let inv = with_sources();
        // The group gone from the inventory after the plan.
        let mut after = inv.clone();
        if let Some(net) = after.ec2_network.ready_mut().and_then(|r| r.ready_mut(R)) {
            net.security_groups.retain(|g| g.name != "db");
        }
        let n = radius(&inv, &after, [&del]);
        let cut = sources(&n[0]);
        let names: Vec<&str> = cut.iter().map(|c| c.group.as_str()).collect();
        assert_eq!(names, ["sg-1 (web)", "sg-3 (db)", "sg-9"]);
        // The group's own members are named above: the rule naming itself
        // says they lose that access to each other.
        assert!(cut[1].itself);
        assert!(cut[1].line().contains("to each other"), "{cut:?}");
        assert!(!cut[2].known);
        assert!(
            cut[2].line().contains("moat did not read that group"),
            "{cut:?}"
        );
    }

    fn eni(
        id: &str,
        description: &str,
        kind: Option<&str>,
        requester: Option<&str>,
    ) -> NetworkInterface {
        NetworkInterface {
            id: id.into(),
            description: description.into(),
            groups: vec!["sg-1".into()],
            instance_id: None,
            interface_type: kind.map(str::to_string),
            requester_id: requester.map(str::to_string),
            requester_managed: requester.is_some(),
        }
    }

    #[test]
    fn an_interface_is_labelled_by_the_service_that_owns_it() {
        let cases = [
            (
                eni(
                    "eni-1",
                    "AWS Lambda VPC ENI-thumbs",
                    Some("lambda"),
                    Some("AROA:thumbs"),
                ),
                "eni-1 (Lambda)",
            ),
            (
                eni(
                    "eni-2",
                    "Interface for NAT Gateway nat-1",
                    Some("natGateway"),
                    None,
                ),
                "eni-2 (NAT gateway)",
            ),
            (
                eni(
                    "eni-3",
                    "VPC Endpoint Interface vpce-1",
                    Some("vpc_endpoint"),
                    Some("727"),
                ),
                "eni-3 (VPC endpoint)",
            ),
            (
                eni(
                    "eni-4",
                    "ELB app/shop/1",
                    Some("interface"),
                    Some("amazon-elb"),
                ),
                "eni-4 (Application Load Balancer shop)",
            ),
            (
                eni(
                    "eni-5",
                    "ELB net/nlb/2",
                    Some("network_load_balancer"),
                    Some("amazon-elb"),
                ),
                "eni-5 (Network Load Balancer nlb)",
            ),
            (
                eni("eni-6", "ELB legacy", Some("interface"), Some("amazon-elb")),
                "eni-6 (Classic Load Balancer legacy)",
            ),
            (
                eni(
                    "eni-7",
                    "RDSNetworkInterface",
                    Some("interface"),
                    Some("amazon-rds"),
                ),
                "eni-7 (RDS)",
            ),
            (
                eni(
                    "eni-8",
                    "EFS mount target for fs-1 (fsmt-1)",
                    Some("interface"),
                    Some("641"),
                ),
                "eni-8 (EFS mount target)",
            ),
            (
                eni(
                    "eni-9",
                    "arn:aws:ecs:us-east-1:111122223333:attachment/a",
                    Some("interface"),
                    Some("578"),
                ),
                "eni-9 (ECS task)",
            ),
            (
                eni("eni-a", "", Some("interface"), Some("AIDAEXAMPLE")),
                "eni-a (managed by AWS, requested by AIDAEXAMPLE)",
            ),
            (
                eni("eni-b", "web-1 primary", Some("interface"), None),
                "eni-b (web-1 primary)",
            ),
            (eni("eni-c", "", None, None), "eni-c"),
        ];
        for (e, want) in cases {
            assert_eq!(interface_label(&e), want, "{e:?}");
        }
    }
}
