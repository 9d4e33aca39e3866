//! Seeds moto with resources that fail the Route 53 section's items, for
//! the tests that cover every item (zero mutation, least-privilege IAM
//! policy), and the Route 53 client the tests read the results back with.

#![allow(dead_code)]

/// A user whose inline policy may change every zone's records.
pub const DNS_USER: &str = "dns-bot";

/// A public zone whose apex holds a verification token and no SPF or MX.
pub const ZONE: &str = "seeded-example.com";

pub const TOKEN: &str = "\"google-site-verification=seeded123\"";

pub fn route53(ep: &str) -> aws_sdk_route53::Client {
    test_client!(aws_sdk_route53, ep, "us-east-1")
}

pub fn iam(ep: &str) -> aws_sdk_iam::Client {
    test_client!(aws_sdk_iam, ep, "us-east-1")
}

/// [`DNS_USER`], whose inline policy may change any zone's records.
pub async fn dns_user(ep: &str) {
    let iam = iam(ep);
    iam.create_user()
        .user_name(DNS_USER)
        .send()
        .await
        .expect("user");
    iam.put_user_policy()
        .user_name(DNS_USER)
        .policy_name("manage-dns")
        .policy_document(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow",
                 "Action": ["route53:ChangeResourceRecordSets", "route53:List*"],
                 "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("policy");
}

/// A public zone with a verification token at its apex; returns its id.
pub async fn seed_zone(ep: &str) -> String {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let r53 = route53(ep);
    let zone = r53
        .create_hosted_zone()
        .name(ZONE)
        .caller_reference("moat-seed")
        .send()
        .await
        .expect("zone");
    let id = zone
        .hosted_zone()
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
        .expect("zone id");
    let set = ResourceRecordSet::builder()
        .name(format!("{ZONE}."))
        .r#type(RrType::Txt)
        .ttl(600)
        .resource_records(ResourceRecord::builder().value(TOKEN).build().expect("rr"))
        .build()
        .expect("set");
    r53.change_resource_record_sets()
        .hosted_zone_id(&id)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(set)
                        .build()
                        .expect("change"),
                )
                .build()
                .expect("batch"),
        )
        .send()
        .await
        .expect("token");
    id
}

/// Create resources that fail (some of) this section's items.
pub async fn seed_failing(ep: &str) {
    seed_zone(ep).await;
    dns_user(ep).await;
}
