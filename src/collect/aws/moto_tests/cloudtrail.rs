//! CloudTrail: a trail as moat reads it.

use super::{connect, create_bucket, delete_bucket, endpoint, tag};
use crate::aws::client::AwsBackend;
use crate::aws::inventory::Trail;

async fn trails_part(b: &AwsBackend) -> Vec<Trail> {
    part!(b, Trails)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn cloudtrail_trails() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (name, log_bucket) = (format!("moat-trail-{t}"), format!("moat-trail-logs-{t}"));
    create_bucket(&b, &log_bucket, "us-east-1").await;
    b.home_cloudtrail()
        .create_trail()
        .name(&name)
        .s3_bucket_name(&log_bucket)
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .expect("create trail");

    let trails = trails_part(&b).await;
    let trail = trails
        .iter()
        .find(|x| x.name == name)
        .expect("trail collected");
    assert_eq!(
        trail.arn,
        format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}")
    );
    assert_eq!(trail.home_region, "us-east-1");
    assert_eq!(trail.s3_bucket.as_deref(), Some(log_bucket.as_str()));
    assert!(trail.is_multi_region);
    assert!(trail.log_file_validation);
    assert_eq!(trail.kms_key_id, None);

    b.home_cloudtrail()
        .delete_trail()
        .name(&name)
        .send()
        .await
        .expect("delete trail");
    delete_bucket(&b, &log_bucket, "us-east-1").await;
}
