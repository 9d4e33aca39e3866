//! RDS, Route 53, Elastic Load Balancing, Inspector and WAF: collectors of the group's parts.
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.
//!
//! Regions are read concurrently; a region that fails (an opt-in region
//! answering AuthFailure, a service not offered there) is recorded as that
//! region's error, so only its findings are `error`.

use super::AwsBackend;
use super::error::CallError;
use crate::aws::elb::sdk::{Elbv2, action_from};
use crate::inventory::{
    ApexRecords, ClassicListener, ClassicLoadBalancer, DbInstance, DbSnapshot, Elb, ElbRegion,
    Fetched, HostedZone, Inspector, InspectorStatus, Listener, ListenerRule, LoadBalancer,
    RdsRegion, RecordSet, Route53, same_name,
};
use crate::inventory::{Rds, RecordType};
use futures::future::{join_all, try_join_all};
use std::collections::BTreeMap;

/// Enabled regions without an Amazon Inspector endpoint (the AWS SDKs'
/// endpoint data, November 2026).
const INSPECTOR_NOT_OFFERED: &[&str] = &["ap-southeast-6"];
/// A Classic Load Balancer's listener ports with their policy names.
type ListenerPolicies = Vec<(i32, Vec<String>)>;

impl AwsBackend {
    // -----------------------------------------------------------------------
    // RDS

    pub(super) async fn collect_rds(&self) -> Result<Rds, CallError> {
        Ok(Rds {
            regions: self
                .by_region(|r| async move { self.rds_region(&r).await })
                .await?,
        })
    }

    async fn rds_region(&self, region: &str) -> Result<RdsRegion, CallError> {
        let (instances, snapshots, cluster_snapshots) = futures::try_join!(
            self.db_instances(region),
            self.db_snapshots(region),
            self.db_cluster_snapshots(region)
        )?;
        Ok(RdsRegion {
            instances,
            snapshots,
            cluster_snapshots,
        })
    }

    async fn db_instances(&self, region: &str) -> Result<Vec<DbInstance>, CallError> {
        let rds = self.rds_client(region);
        let mut out = vec![];
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send(
                    "rds:DescribeDBInstances",
                    rds.describe_db_instances()
                        .set_marker(marker.clone())
                        .send(),
                )
                .await?;
            for i in page.db_instances() {
                let Some(id) = i.db_instance_identifier() else {
                    continue;
                };
                let mut groups: Vec<String> = i
                    .vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
                    .collect();
                groups.sort();
                out.push(DbInstance {
                    id: id.to_string(),
                    arn: i.db_instance_arn().unwrap_or_default().to_string(),
                    engine: i.engine().unwrap_or_default().to_string(),
                    engine_version: i.engine_version().unwrap_or_default().to_string(),
                    class: i.db_instance_class().unwrap_or_default().to_string(),
                    publicly_accessible: i.publicly_accessible().unwrap_or(false),
                    storage_encrypted: i.storage_encrypted().unwrap_or(false),
                    kms_key_id: i.kms_key_id().map(str::to_string),
                    cluster: i.db_cluster_identifier().map(str::to_string),
                    port: i.endpoint().and_then(|e| e.port()),
                    vpc_security_groups: groups,
                    allocated_storage: i.allocated_storage(),
                    multi_az: i.multi_az(),
                    storage_type: i.storage_type().map(str::to_string),
                    pending: i
                        .pending_modified_values()
                        .map(pending_values)
                        .unwrap_or_default(),
                });
            }
            match next_marker(page.marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn db_snapshots(&self, region: &str) -> Result<Vec<DbSnapshot>, CallError> {
        let rds = self.rds_client(region);
        let mut listed = vec![];
        let mut marker: Option<String> = None;
        loop {
            let request = rds
                .describe_db_snapshots()
                .snapshot_type("manual")
                .set_marker(marker.clone());
            let page = self.send("rds:DescribeDBSnapshots", request.send()).await?;
            for s in page.db_snapshots() {
                let Some(id) = s.db_snapshot_identifier() else {
                    continue;
                };
                listed.push(DbSnapshot {
                    id: id.to_string(),
                    source: s.db_instance_identifier().unwrap_or_default().to_string(),
                    engine: s.engine().unwrap_or_default().to_string(),
                    encrypted: s.encrypted().unwrap_or(false),
                    restore: Fetched::Ready(vec![]),
                });
            }
            match next_marker(page.marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        // No listing returns the attributes: one read per manual snapshot.
        let attrs = join_all(listed.iter().map(|s| {
            let rds = rds.clone();
            let id = s.id.clone();
            async move {
                let out = self
                    .send(
                        "rds:DescribeDBSnapshotAttributes",
                        rds.describe_db_snapshot_attributes()
                            .db_snapshot_identifier(&id)
                            .send(),
                    )
                    .await?;
                Ok::<Vec<String>, CallError>(restore_values(
                    out.db_snapshot_attributes_result()
                        .map(|r| {
                            r.db_snapshot_attributes()
                                .iter()
                                .map(|a| (a.attribute_name(), a.attribute_values()))
                                .collect()
                        })
                        .unwrap_or_default(),
                ))
            }
        }))
        .await;
        for (s, a) in listed.iter_mut().zip(attrs) {
            s.restore = Fetched::from(a);
        }
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(listed)
    }

    async fn db_cluster_snapshots(&self, region: &str) -> Result<Vec<DbSnapshot>, CallError> {
        let rds = self.rds_client(region);
        let mut listed = vec![];
        let mut marker: Option<String> = None;
        loop {
            let request = rds
                .describe_db_cluster_snapshots()
                .snapshot_type("manual")
                .set_marker(marker.clone());
            let page = self
                .send("rds:DescribeDBClusterSnapshots", request.send())
                .await?;
            for s in page.db_cluster_snapshots() {
                let Some(id) = s.db_cluster_snapshot_identifier() else {
                    continue;
                };
                listed.push(DbSnapshot {
                    id: id.to_string(),
                    source: s.db_cluster_identifier().unwrap_or_default().to_string(),
                    engine: s.engine().unwrap_or_default().to_string(),
                    encrypted: s.storage_encrypted().unwrap_or(false),
                    restore: Fetched::Ready(vec![]),
                });
            }
            match next_marker(page.marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        let attrs = join_all(listed.iter().map(|s| {
            let rds = rds.clone();
            let id = s.id.clone();
            async move {
                let out = self
                    .send(
                        "rds:DescribeDBClusterSnapshotAttributes",
                        rds.describe_db_cluster_snapshot_attributes()
                            .db_cluster_snapshot_identifier(&id)
                            .send(),
                    )
                    .await?;
                Ok::<Vec<String>, CallError>(restore_values(
                    out.db_cluster_snapshot_attributes_result()
                        .map(|r| {
                            r.db_cluster_snapshot_attributes()
                                .iter()
                                .map(|a| (a.attribute_name(), a.attribute_values()))
                                .collect()
                        })
                        .unwrap_or_default(),
                ))
            }
        }))
        .await;
        for (s, a) in listed.iter_mut().zip(attrs) {
            s.restore = Fetched::from(a);
        }
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(listed)
    }

    // -----------------------------------------------------------------------
    // Route 53

    pub(super) async fn collect_route53(&self) -> Result<Route53, CallError> {
        let r53 = self.route53_client();
        let mut listed = vec![];
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send(
                    "route53:ListHostedZones",
                    r53.list_hosted_zones().set_marker(marker.clone()).send(),
                )
                .await?;
            for z in page.hosted_zones() {
                let id = z.id().trim_start_matches("/hostedzone/").to_string();
                let private = z.config().is_some_and(|c| c.private_zone());
                listed.push((id, z.name().to_string(), private));
            }
            let next = page.is_truncated().then(|| page.next_marker()).flatten();
            match next_marker(next, &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        let zones = join_all(listed.into_iter().map(|(id, name, private)| {
            let r53 = r53.clone();
            async move {
                let records = if private {
                    // Private zones are not visible to mail servers: not read.
                    Fetched::Ready(ApexRecords::default())
                } else {
                    Fetched::from(self.apex_records(&r53, &id, &name).await)
                };
                HostedZone {
                    id,
                    name,
                    private,
                    records,
                }
            }
        }))
        .await;
        let mut zones = zones;
        zones.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(Route53 { zones })
    }

    /// The apex MX and TXT record sets: Route 53 lists a name's types in
    /// order (… MX, NAPTR, NS, PTR, SOA, SPF, SRV, TXT), so listing from the
    /// apex's MX and stopping at the next name reads both without walking
    /// the whole zone.
    async fn apex_records(
        &self,
        r53: &aws_sdk_route53::Client,
        zone: &str,
        apex: &str,
    ) -> Result<ApexRecords, CallError> {
        use aws_sdk_route53::types::RrType;
        let mut out = ApexRecords::default();
        let mut start: Option<(String, RrType, Option<String>)> =
            Some((apex.to_string(), RrType::Mx, None));
        let mut pages = 0;
        while let Some((name, rtype, ident)) = start.take() {
            pages += 1;
            let request = r53
                .list_resource_record_sets()
                .hosted_zone_id(zone)
                .start_record_name(&name)
                .start_record_type(rtype)
                .set_start_record_identifier(ident)
                .max_items(100);
            let page = self
                .send("route53:ListResourceRecordSets", request.send())
                .await?;
            let mut past_apex = false;
            for r in page.resource_record_sets() {
                if !same_name(r.name(), apex) {
                    past_apex = true;
                    break;
                }
                // Simple routing only: weighted or latency sets are not ours.
                if r.set_identifier().is_some() {
                    continue;
                }
                let t = match r.r#type() {
                    RrType::Txt => RecordType::Txt,
                    RrType::Mx => RecordType::Mx,
                    _ => continue,
                };
                let set = RecordSet {
                    name: r.name().to_string(),
                    rtype: t.as_str().to_string(),
                    ttl: r.ttl().unwrap_or(0),
                    values: r
                        .resource_records()
                        .iter()
                        .map(|v| v.value().to_string())
                        .collect(),
                };
                match t {
                    RecordType::Txt => out.txt = Some(set),
                    RecordType::Mx => out.mx = Some(set),
                }
            }
            if past_apex || !page.is_truncated() || pages >= 20 {
                break;
            }
            if let (Some(n), Some(t)) = (page.next_record_name(), page.next_record_type()) {
                if !same_name(n, apex) {
                    break;
                }
                start = Some((
                    n.to_string(),
                    t.clone(),
                    page.next_record_identifier().map(str::to_string),
                ));
            }
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------
    // Elastic Load Balancing

    pub(super) async fn collect_elb(&self) -> Result<Elb, CallError> {
        Ok(Elb {
            regions: self
                .by_region(|r| async move { self.elb_region(&r).await })
                .await?,
        })
    }

    async fn elb_region(&self, region: &str) -> Result<ElbRegion, CallError> {
        let (load_balancers, classic) = futures::try_join!(
            self.load_balancers(region),
            self.classic_load_balancers(region)
        )?;
        Ok(ElbRegion {
            load_balancers,
            classic,
        })
    }

    async fn load_balancers(&self, region: &str) -> Result<Vec<LoadBalancer>, CallError> {
        let elb = self.elbv2_client(region);
        let mut listed = vec![];
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send(
                    "elasticloadbalancing:DescribeLoadBalancers",
                    elb.describe_load_balancers()
                        .set_marker(marker.clone())
                        .send(),
                )
                .await?;
            for lb in page.load_balancers() {
                let (Some(name), Some(arn)) = (lb.load_balancer_name(), lb.load_balancer_arn())
                else {
                    continue;
                };
                let mut groups = lb.security_groups().to_vec();
                groups.sort();
                listed.push(LoadBalancer {
                    name: name.to_string(),
                    arn: arn.to_string(),
                    kind: lb
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    scheme: lb
                        .scheme()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    security_groups: groups,
                    listeners: vec![],
                    web_acl: None,
                });
            }
            match next_marker(page.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        let waf = self.wafv2_client(region);
        let read = try_join_all(listed.into_iter().map(|mut lb| {
            let elb = elb.clone();
            let waf = waf.clone();
            async move {
                lb.listeners = self.listeners(&elb, &lb.arn).await?;
                // elb.https-listeners judges every rule of these listeners.
                if lb.rules_matter() {
                    for l in lb.listeners.iter_mut().filter(|l| l.protocol == "HTTP") {
                        l.rules = self.listener_rules(&elb, &l.arn).await?;
                    }
                }
                if lb.is_application() && lb.is_internet_facing() {
                    lb.web_acl = Some(Fetched::from(self.web_acl(&waf, &lb.arn).await));
                }
                Ok::<LoadBalancer, CallError>(lb)
            }
        }))
        .await?;
        let mut out = read;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn listeners(&self, elb: &Elbv2, lb_arn: &str) -> Result<Vec<Listener>, CallError> {
        let mut out = vec![];
        let mut marker: Option<String> = None;
        loop {
            let request = elb
                .describe_listeners()
                .load_balancer_arn(lb_arn)
                .set_marker(marker.clone());
            let page = self
                .send("elasticloadbalancing:DescribeListeners", request.send())
                .await?;
            for l in page.listeners() {
                let (Some(arn), Some(port)) = (l.listener_arn(), l.port()) else {
                    continue;
                };
                let mut certificates: Vec<String> = l
                    .certificates()
                    .iter()
                    .filter_map(|c| c.certificate_arn().map(str::to_string))
                    .collect();
                certificates.sort();
                out.push(Listener {
                    arn: arn.to_string(),
                    protocol: l
                        .protocol()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    port,
                    ssl_policy: l.ssl_policy().map(str::to_string),
                    certificates,
                    default_actions: l.default_actions().iter().map(action_from).collect(),
                    rules: vec![],
                });
            }
            match next_marker(page.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        out.sort_by_key(|l| l.port);
        Ok(out)
    }

    /// A listener's rules but its default rule (whose actions DescribeListeners
    /// already gave), by priority. DescribeRules pages with Marker/NextMarker.
    async fn listener_rules(
        &self,
        elb: &Elbv2,
        listener_arn: &str,
    ) -> Result<Vec<ListenerRule>, CallError> {
        let mut out = vec![];
        let mut marker: Option<String> = None;
        loop {
            let request = elb
                .describe_rules()
                .listener_arn(listener_arn)
                .set_marker(marker.clone());
            let page = self
                .send("elasticloadbalancing:DescribeRules", request.send())
                .await?;
            for r in page.rules() {
                let (Some(arn), Some(priority)) = (r.rule_arn(), r.priority()) else {
                    continue;
                };
                if r.is_default() == Some(true) || priority == "default" {
                    continue;
                }
                out.push(ListenerRule {
                    arn: arn.to_string(),
                    priority: priority.to_string(),
                    conditions: r.conditions().iter().map(condition_text).collect(),
                    actions: r.actions().iter().map(action_from).collect(),
                });
            }
            match next_marker(page.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        out.sort_by_key(|r| (r.priority.parse::<u64>().unwrap_or(u64::MAX), r.arn.clone()));
        Ok(out)
    }

    async fn web_acl(
        &self,
        waf: &aws_sdk_wafv2::Client,
        resource_arn: &str,
    ) -> Result<Option<String>, CallError> {
        match self
            .send(
                "wafv2:GetWebACLForResource",
                waf.get_web_acl_for_resource()
                    .resource_arn(resource_arn)
                    .send(),
            )
            .await
        {
            Ok(out) => Ok(out.web_acl().map(|a| a.arn().to_string())),
            // Deleted between the listing and this read: no web ACL.
            Err(e) if e.is_code("WAFNonexistentItemException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn classic_load_balancers(
        &self,
        region: &str,
    ) -> Result<Vec<ClassicLoadBalancer>, CallError> {
        let elb = self.elb_client(region);
        let mut listed: Vec<(ClassicLoadBalancer, ListenerPolicies)> = vec![];
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .send(
                    "elasticloadbalancing:DescribeLoadBalancers",
                    elb.describe_load_balancers()
                        .set_marker(marker.clone())
                        .send(),
                )
                .await?;
            for d in page.load_balancer_descriptions() {
                let Some(name) = d.load_balancer_name() else {
                    continue;
                };
                let mut policies = vec![];
                let listeners = d
                    .listener_descriptions()
                    .iter()
                    .filter_map(|ld| {
                        let l = ld.listener()?;
                        policies.push((l.load_balancer_port(), ld.policy_names().to_vec()));
                        Some(ClassicListener {
                            protocol: l.protocol().to_ascii_uppercase(),
                            port: l.load_balancer_port(),
                            instance_protocol: l
                                .instance_protocol()
                                .unwrap_or_default()
                                .to_ascii_uppercase(),
                            instance_port: l.instance_port(),
                            certificate: l.ssl_certificate_id().map(str::to_string),
                            security_policy: None,
                        })
                    })
                    .collect();
                let mut groups = d.security_groups().to_vec();
                groups.sort();
                listed.push((
                    ClassicLoadBalancer {
                        name: name.to_string(),
                        scheme: d.scheme().unwrap_or_default().to_string(),
                        security_groups: groups,
                        listeners,
                    },
                    policies,
                ));
            }
            match next_marker(page.next_marker(), &marker) {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        // The predefined policy behind each HTTPS/SSL listener: one read per
        // load balancer that has such a listener.
        let read = try_join_all(listed.into_iter().map(|(mut c, policies)| {
            let elb = elb.clone();
            async move {
                let names: Vec<String> = c
                    .listeners
                    .iter()
                    .filter(|l| l.is_tls())
                    .flat_map(|l| {
                        policies
                            .iter()
                            .filter(|(p, _)| *p == l.port)
                            .flat_map(|(_, n)| n.iter().cloned())
                    })
                    .collect();
                if names.is_empty() {
                    return Ok::<ClassicLoadBalancer, CallError>(c);
                }
                let out = self
                    .send(
                        "elasticloadbalancing:DescribeLoadBalancerPolicies",
                        elb.describe_load_balancer_policies()
                            .load_balancer_name(&c.name)
                            .send(),
                    )
                    .await?;
                let reference: BTreeMap<String, String> =
                    out.policy_descriptions()
                        .iter()
                        .filter_map(|p| {
                            let r = p.policy_attribute_descriptions().iter().find(|a| {
                                a.attribute_name() == Some("Reference-Security-Policy")
                            })?;
                            Some((
                                p.policy_name()?.to_string(),
                                r.attribute_value()?.to_string(),
                            ))
                        })
                        .collect();
                for l in c.listeners.iter_mut().filter(|l| l.is_tls()) {
                    l.security_policy = policies
                        .iter()
                        .filter(|(p, _)| *p == l.port)
                        .flat_map(|(_, n)| n.iter())
                        .find_map(|n| reference.get(n).cloned());
                }
                Ok(c)
            }
        }))
        .await?;
        let mut out = read;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    // -----------------------------------------------------------------------
    // Inspector

    pub(super) async fn collect_inspector(&self) -> Result<Inspector, CallError> {
        let account = self.identity().account.clone();
        let mut regions = self
            .by_region(|r| {
                let account = account.clone();
                async move { self.inspector_status(&r, &account).await }
            })
            .await?;
        // Where Inspector is not offered it cannot be enabled either: a failed
        // read there is no finding. Once AWS offers it, the read succeeds and
        // the region is checked like any other.
        regions.retain(|region, f| {
            !(INSPECTOR_NOT_OFFERED.contains(&region.as_str()) && f.error().is_some())
        });
        Ok(Inspector { regions })
    }

    async fn inspector_status(
        &self,
        region: &str,
        account: &str,
    ) -> Result<InspectorStatus, CallError> {
        const ACTION: &str = "inspector2:BatchGetAccountStatus";
        let client = self.inspector_client(region);
        // The account id is optional on AWS but required by some emulators.
        let out = self
            .send(
                ACTION,
                client
                    .batch_get_account_status()
                    .account_ids(account)
                    .send(),
            )
            .await?;
        if let Some(f) = out.failed_accounts().first() {
            return Err(CallError::new(
                ACTION,
                Some(f.error_code().as_str().to_string()),
                f.error_message().to_string(),
            ));
        }
        let Some(a) = out.accounts().iter().find(|a| a.account_id() == account) else {
            // Never enabled: the account is not listed.
            return Ok(InspectorStatus {
                status: "DISABLED".into(),
                scans: BTreeMap::new(),
            });
        };
        let status = a
            .state()
            .map(|s| s.status().as_str().to_string())
            .unwrap_or_else(|| "DISABLED".into());
        let mut scans = BTreeMap::new();
        if let Some(r) = a.resource_state() {
            for (name, state) in [
                ("EC2", r.ec2()),
                ("ECR", r.ecr()),
                ("LAMBDA", r.lambda()),
                ("LAMBDA_CODE", r.lambda_code()),
            ] {
                if let Some(s) = state {
                    scans.insert(name.to_string(), s.status().as_str().to_string());
                }
            }
        }
        Ok(InspectorStatus { status, scans })
    }
}

/// The next page's marker, or `None` at the end (or when a service repeats
/// the marker it was given, which would loop forever).
fn next_marker(next: Option<&str>, current: &Option<String>) -> Option<String> {
    next.filter(|m| !m.is_empty() && current.as_deref() != Some(*m))
        .map(str::to_string)
}

/// The values of the `restore` attribute, sorted.
fn restore_values(attrs: Vec<(Option<&str>, &[String])>) -> Vec<String> {
    let mut out: Vec<String> = attrs
        .into_iter()
        .filter(|(name, _)| *name == Some("restore"))
        .flat_map(|(_, v)| v.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The queued modifications of a DB instance, by API member name. The
/// master password is never shown (RDS masks it anyway).
fn pending_values(p: &aws_sdk_rds::types::PendingModifiedValues) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(k.to_string(), v);
        }
    };
    put("DBInstanceClass", p.db_instance_class().map(str::to_string));
    put("EngineVersion", p.engine_version().map(str::to_string));
    put("Engine", p.engine().map(str::to_string));
    put(
        "AllocatedStorage",
        p.allocated_storage().map(|v| v.to_string()),
    );
    put("StorageType", p.storage_type().map(str::to_string));
    put("Iops", p.iops().map(|v| v.to_string()));
    put(
        "StorageThroughput",
        p.storage_throughput().map(|v| v.to_string()),
    );
    put("MultiAZ", p.multi_az().map(|v| v.to_string()));
    put("Port", p.port().map(|v| v.to_string()));
    put(
        "BackupRetentionPeriod",
        p.backup_retention_period().map(|v| v.to_string()),
    );
    put("LicenseModel", p.license_model().map(str::to_string));
    put(
        "CACertificateIdentifier",
        p.ca_certificate_identifier().map(str::to_string),
    );
    put(
        "DBInstanceIdentifier",
        p.db_instance_identifier().map(str::to_string),
    );
    put(
        "DBSubnetGroupName",
        p.db_subnet_group_name().map(str::to_string),
    );
    put(
        "IAMDatabaseAuthenticationEnabled",
        p.iam_database_authentication_enabled()
            .map(|v| v.to_string()),
    );
    put(
        "DedicatedLogVolume",
        p.dedicated_log_volume().map(|v| v.to_string()),
    );
    put("MultiTenant", p.multi_tenant().map(|v| v.to_string()));
    put(
        "MasterUserPassword",
        p.master_user_password().map(|_| "****".to_string()),
    );
    if !p.processor_features().is_empty() {
        let f: Vec<String> = p
            .processor_features()
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    f.name().unwrap_or_default(),
                    f.value().unwrap_or_default()
                )
            })
            .collect();
        put("ProcessorFeatures", Some(f.join(",")));
    }
    if let Some(logs) = p.pending_cloudwatch_logs_exports() {
        let mut parts = vec![];
        if !logs.log_types_to_enable().is_empty() {
            parts.push(format!("enable {}", logs.log_types_to_enable().join(",")));
        }
        if !logs.log_types_to_disable().is_empty() {
            parts.push(format!("disable {}", logs.log_types_to_disable().join(",")));
        }
        if !parts.is_empty() {
            put("PendingCloudwatchLogsExports", Some(parts.join("; ")));
        }
    }
    out
}

/// A rule condition as text: `path-pattern /api/*, /v2/*`.
fn condition_text(c: &aws_sdk_elasticloadbalancingv2::types::RuleCondition) -> String {
    let field = c.field().unwrap_or("condition");
    let mut values: Vec<String> = c.values().to_vec();
    values.extend(c.regex_values().iter().map(|v| format!("regex {v}")));
    if let Some(h) = c.host_header_config() {
        values.extend(h.values().iter().cloned());
        values.extend(h.regex_values().iter().map(|v| format!("regex {v}")));
    }
    if let Some(p) = c.path_pattern_config() {
        values.extend(p.values().iter().cloned());
        values.extend(p.regex_values().iter().map(|v| format!("regex {v}")));
    }
    if let Some(h) = c.http_header_config() {
        let name = h.http_header_name().unwrap_or_default();
        values.extend(h.values().iter().map(|v| format!("{name}: {v}")));
        values.extend(
            h.regex_values()
                .iter()
                .map(|v| format!("{name}: regex {v}")),
        );
    }
    if let Some(q) = c.query_string_config() {
        values.extend(q.values().iter().map(|kv| match kv.key() {
            Some(k) => format!("{k}={}", kv.value().unwrap_or_default()),
            None => kv.value().unwrap_or_default().to_string(),
        }));
    }
    if let Some(m) = c.http_request_method_config() {
        values.extend(m.values().iter().cloned());
    }
    if let Some(s) = c.source_ip_config() {
        values.extend(s.values().iter().cloned());
    }
    values.dedup();
    if values.is_empty() {
        field.to_string()
    } else {
        format!("{field} {}", values.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_stop_at_the_end_and_on_repeats() {
        assert_eq!(next_marker(None, &None), None);
        assert_eq!(next_marker(Some(""), &None), None);
        assert_eq!(next_marker(Some("a"), &None), Some("a".into()));
        assert_eq!(next_marker(Some("a"), &Some("a".into())), None);
    }

    #[test]
    fn restore_values_take_only_the_restore_attribute() {
        let all = vec!["all".to_string(), "1234".to_string()];
        let other = vec!["x".to_string()];
        assert_eq!(
            restore_values(vec![(Some("restore"), &all), (Some("other"), &other)]),
            vec!["1234".to_string(), "all".to_string()]
        );
    }
}
