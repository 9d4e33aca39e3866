//! Apply's last checks, against moto: the account is pinned by asking who
//! the credentials are right before sending (not at start-up), and a bucket
//! policy is re-read right before it is replaced.

mod support;

use futures::future::BoxFuture;
use moat::aws::client::AwsBackend;
use moat::aws::inventory::{Identity, PartError, PartId, PartValue};
use moat::collect::{Applied, Backend, Mode, OpError};
use moat::execute::{ExecError, execute};
use moat::journal::{EntryState, Journal};
use moat::plan::Op;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::backend::{connect_once, item_plan, set_test_env};
use support::{Moto, Proxy, block_on, s3_client, temp_state_dir};

/// Another account the credentials may resolve to later in a session.
const OTHER_ACCOUNT: &str = "210987654321";

/// Make `proxy` answer sts:GetCallerIdentity for `account`, as AWS does once
/// SSO or `credential_process` hands out credentials of another account.
fn answer_as_account(proxy: &Proxy, account: &str) {
    support::answer_caller(
        proxy,
        &format!("arn:aws:sts::{account}:assumed-role/Admin/sam"),
        "AROAEXAMPLE:sam",
        account,
    );
}

/// The session started on one account; by the time the user confirms, the
/// credentials resolve to another. Apply asks again and refuses, naming
/// both accounts; nothing is sent or journaled. Undo runs the same code path.
#[test]
fn apply_refuses_when_the_credentials_moved_to_another_account_since_start_up() {
    set_test_env();
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    block_on(async {
        let b: Arc<dyn Backend> = Arc::new(connect_once(&proxy.endpoint, &[]).await);
        let plan = item_plan(&b, "account.password-policy").await;
        assert_eq!(plan.account, support::ACCOUNT_ID);
        answer_as_account(&proxy, OTHER_ACCOUNT);
        proxy.clear();
        let journal = Journal::open(state.path(), &plan.account);
        let err = execute(b.clone(), &plan, &journal, |_| {})
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, ExecError::AccountMismatch { plan, live }
                if plan == support::ACCOUNT_ID && live == OTHER_ACCOUNT),
            "{err}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains(support::ACCOUNT_ID) && shown.contains(OTHER_ACCOUNT),
            "{shown}"
        );
        assert_eq!(
            proxy.count("GetCallerIdentity"),
            1,
            "{:?}",
            proxy.operations()
        );
        assert_eq!(proxy.mutating(), Vec::<String>::new(), "nothing was sent");
        assert!(
            journal.entries().expect("journal").is_empty(),
            "nothing journaled"
        );
        assert!(!Journal::path_for(state.path(), OTHER_ACCOUNT).exists());
    });
}

/// A backend that, once the first bucket policy is written, lets another
/// actor change the policy of `other` (what happens during a plan over
/// thousands of buckets that takes minutes).
struct Interleaved {
    inner: AwsBackend,
    s3: aws_sdk_s3::Client,
    other_policy: String,
    fired: AtomicBool,
}

impl Backend for Interleaved {
    fn mode(&self) -> Mode {
        self.inner.mode()
    }
    fn collect(&self, part: PartId) -> BoxFuture<'_, Result<PartValue, PartError>> {
        self.inner.collect(part)
    }
    fn caller(&self) -> BoxFuture<'_, Result<Identity, PartError>> {
        self.inner.caller()
    }
    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a str,
        region: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, PartError>> {
        self.inner.bucket_policy(bucket, region)
    }
    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>> {
        Box::pin(async move {
            let r = self.inner.apply(op).await;
            if let Op::PutBucketPolicy(moat::aws::ops::PutBucketPolicy { bucket, .. }) = op
                && !self.fired.swap(true, Ordering::SeqCst)
            {
                let other = if bucket == "exec-a" {
                    "exec-b"
                } else {
                    "exec-a"
                };
                self.s3
                    .put_bucket_policy()
                    .bucket(other)
                    .policy(&self.other_policy)
                    .send()
                    .await
                    .expect("the other actor's write");
            }
            r
        })
    }
}

/// A plan over two buckets: the second bucket's policy changes after the
/// preflight read. Its write is refused (journaled failed, the other actor's
/// policy intact); the first bucket's write stands and can be undone.
#[test]
fn bucket_policy_write_is_refused_when_the_policy_changed_after_the_preflight() {
    set_test_env();
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    block_on(async {
        let s3 = s3_client(&moto.endpoint, "us-east-1").await;
        for b in ["exec-a", "exec-b"] {
            s3.create_bucket().bucket(b).send().await.expect("bucket");
        }
        let inner = connect_once(&proxy.endpoint, &[]).await;
        let other_policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "PartnerRead", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exec-*/*"}]
        });
        let b: Arc<dyn Backend> = Arc::new(Interleaved {
            inner,
            s3: s3.clone(),
            other_policy: other_policy.to_string(),
            fired: AtomicBool::new(false),
        });
        let plan = item_plan(&b, "s3.deny-insecure-transport").await;
        let puts: Vec<&str> = plan
            .ops()
            .filter_map(|o| match o {
                Op::PutBucketPolicy(moat::aws::ops::PutBucketPolicy { bucket, .. }) => {
                    Some(bucket.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(puts.len(), 2, "one write per bucket: {puts:?}");
        proxy.clear();
        let journal = Journal::open(state.path(), &plan.account);
        let report = execute(b.clone(), &plan, &journal, |_| {})
            .await
            .expect("the first write goes through");
        let (i, err) = report.failed.clone().expect("the second write is refused");
        assert_eq!(i, 1, "{report:?}");
        assert!(
            err.to_string().contains("changed since the plan was made")
                && err.to_string().contains(puts[1]),
            "{err}"
        );
        assert_eq!(report.applied.len(), 1);
        assert_eq!(
            proxy.count("PutBucketPolicy"),
            1,
            "only the first bucket's policy was sent: {:?}",
            proxy.operations()
        );
        // The other actor's policy is intact.
        let now = s3
            .get_bucket_policy()
            .bucket(puts[1])
            .send()
            .await
            .expect("read")
            .policy
            .expect("policy");
        let now: serde_json::Value = serde_json::from_str(&now).expect("json");
        assert_eq!(now, other_policy);
        // The journal tells: the first applied, the second refused.
        let states: Vec<EntryState> = journal
            .entries()
            .expect("journal")
            .iter()
            .map(|e| e.state)
            .collect();
        assert_eq!(states, vec![EntryState::Applied, EntryState::Failed]);
    });
}
