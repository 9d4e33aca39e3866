//! What the logs never show: the MFA code of an S3 request.

use super::{connect, create_bucket, delete_bucket, endpoint, tag};
use crate::aws::inventory::VersioningStatus;
use crate::collect::{Applied, Backend};
use crate::plan::{MfaToken, Op};

/// A log sink for one test.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish()
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn mfa_code_is_never_logged() {
    use tracing::instrument::WithSubscriber;
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let name = format!("moat-mfa-{}", tag());
    create_bucket(&b, &name, "us-east-1").await;
    let token = MfaToken {
        serial: "arn:aws:iam::123456789012:mfa/root-account-mfa-device".into(),
        code: "918273".into(),
    };

    // Control: the SDK's trace events show the header of a plain request.
    let control = LogBuffer::default();
    b.s3("us-east-1")
        .put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .mfa(token.header())
        .send()
        .with_subscriber(control.subscriber())
        .await
        .expect("control request");
    assert!(
        control.text().contains("918273"),
        "the control logs the code"
    );

    let logged = LogBuffer::default();
    let op = Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
        bucket: name.clone(),
        region: "us-east-1".into(),
        status: VersioningStatus::Enabled,
        mfa_delete: Some(true),
        mfa: Some(token),
    });
    let r = b.apply(&op).with_subscriber(logged.subscriber()).await;
    assert_eq!(r, Ok(Applied::Sent));
    let text = logged.text();
    assert!(text.contains("apply:"), "{text}");
    assert!(!text.contains("918273"), "{text}");
    delete_bucket(&b, &name, "us-east-1").await;
}
