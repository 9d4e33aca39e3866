//! Seeds moto with resources that fail the RDS section's items, for the
//! tests that cover every item (zero mutation, least-privilege IAM policy),
//! and the RDS client the RDS tests read the results back with.

#![allow(dead_code)]

pub use super::seed_ec2::ec2_client as ec2;

pub const ACCOUNT: &str = "123456789012";

/// A public, unencrypted MySQL instance.
pub const PUBLIC_DB: &str = "seeded-public-db";

/// A manual snapshot of it, restorable by everyone and by one partner account.
pub const PUBLIC_SNAPSHOT: &str = "seeded-public-snap";

/// A public cluster snapshot.
pub const PUBLIC_CLUSTER: &str = "seeded-cluster";

pub const PUBLIC_CLUSTER_SNAPSHOT: &str = "seeded-cluster-snap";

pub const PARTNER: &str = "444455556666";

/// A DB instance whose security group admits PostgreSQL from the internet.
pub const OPEN_DB: &str = "seeded-open-db";

/// Its group (in the default VPC).
pub const OPEN_DB_GROUP: &str = "seeded-db-open";

pub fn rds(ep: &str, region: &str) -> aws_sdk_rds::Client {
    test_client!(aws_sdk_rds, ep, region)
}

/// A public, unencrypted DB instance named `id` in `region`.
pub async fn public_db(ep: &str, region: &str, id: &str) {
    rds(ep, region)
        .create_db_instance()
        .db_instance_identifier(id)
        .engine("mysql")
        .db_instance_class("db.t3.micro")
        .master_username("admin")
        .master_user_password("not-a-real-password-1")
        .allocated_storage(20)
        .publicly_accessible(true)
        .send()
        .await
        .expect("db instance");
}

/// [`OPEN_DB`] in [`OPEN_DB_GROUP`], which admits 5432 from 0.0.0.0/0 and
/// from 10.0.0.0/8. Returns the group's VPC.
pub async fn open_db(ep: &str, region: &str) -> String {
    use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
    let ec2 = ec2(ep, region);
    let vpc = ec2
        .describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .send()
        .await
        .expect("vpcs")
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id().map(str::to_string))
        .expect("default vpc");
    let sg = ec2
        .create_security_group()
        .group_name(OPEN_DB_GROUP)
        .description("PostgreSQL for the seeded app")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("db group")
        .group_id()
        .map(str::to_string)
        .expect("group id");
    let range = |c: &str| IpRange::builder().cidr_ip(c).build();
    ec2.authorize_security_group_ingress()
        .group_id(&sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .ip_ranges(range("0.0.0.0/0"))
                .ip_ranges(range("10.0.0.0/8"))
                .build(),
        )
        .send()
        .await
        .expect("db rule");
    rds(ep, region)
        .create_db_instance()
        .db_instance_identifier(OPEN_DB)
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .master_username("app")
        .master_user_password("not-a-real-password-1")
        .allocated_storage(20)
        .vpc_security_group_ids(&sg)
        .storage_encrypted(true)
        .send()
        .await
        .expect("db instance");
    vpc
}

/// The RDS resources: a public instance, a public snapshot shared with a
/// partner too, and a public cluster snapshot.
pub async fn seed_rds(ep: &str, region: &str) {
    public_db(ep, region, PUBLIC_DB).await;
    let rds = rds(ep, region);
    rds.create_db_snapshot()
        .db_instance_identifier(PUBLIC_DB)
        .db_snapshot_identifier(PUBLIC_SNAPSHOT)
        .send()
        .await
        .expect("snapshot");
    rds.modify_db_snapshot_attribute()
        .db_snapshot_identifier(PUBLIC_SNAPSHOT)
        .attribute_name("restore")
        .values_to_add("all")
        .values_to_add(PARTNER)
        .send()
        .await
        .expect("public snapshot");
    rds.create_db_cluster()
        .db_cluster_identifier(PUBLIC_CLUSTER)
        .engine("aurora-postgresql")
        .master_username("admin")
        .master_user_password("not-a-real-password-1")
        .send()
        .await
        .expect("cluster");
    rds.create_db_cluster_snapshot()
        .db_cluster_identifier(PUBLIC_CLUSTER)
        .db_cluster_snapshot_identifier(PUBLIC_CLUSTER_SNAPSHOT)
        .send()
        .await
        .expect("cluster snapshot");
    rds.modify_db_cluster_snapshot_attribute()
        .db_cluster_snapshot_identifier(PUBLIC_CLUSTER_SNAPSHOT)
        .attribute_name("restore")
        .values_to_add("all")
        .send()
        .await
        .expect("public cluster snapshot");
}

/// Create resources that fail (some of) this section's items.
pub async fn seed_failing(ep: &str) {
    seed_rds(ep, "us-east-1").await;
    open_db(ep, "us-east-1").await;
}
