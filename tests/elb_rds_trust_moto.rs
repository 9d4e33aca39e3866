//! Load balancers and RDS as AWS documents them, not as moto allows:
//!
//! - elb.https-listeners judges every rule of an HTTP listener, not only its
//!   default action: a listener that redirects by default but forwards
//!   /api/* over HTTP fails; apply redirects every rule (ModifyRule keeps the
//!   conditions), the item passes, undo puts the forward back.
//! - rds.public-instances and the modifications an instance has queued for
//!   its maintenance window (moto taught by
//!   `support/aws_behaviours/rds_pending_modifications.py`): the preview names
//!   them; by default the public-access change (which AWS applies at once
//!   whatever ApplyImmediately says) leaves the queue alone; `apply_at=now`
//!   applies it.

mod support;

use support::run::{apply_resource, assert_ok, finding_detail, resource_status, scan_item};
use support::seed_elb::ALB;
use support::{Moto, block_on, output_text, run_moat, temp_state_dir};
use support::{seed_elb, seed_rds};

const US: &str = "us-east-1";

// ---------------------------------------------------------------------------
// elb.https-listeners: every rule

fn redirect() -> aws_sdk_elasticloadbalancingv2::types::Action {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
    };
    Action::builder()
        .r#type(ActionTypeEnum::Redirect)
        .redirect_config(
            RedirectActionConfig::builder()
                .protocol("HTTPS")
                .port("443")
                .status_code(RedirectActionStatusCodeEnum::Http301)
                .build(),
        )
        .build()
}

/// HTTP:80 redirects by default, but a rule forwards /api/* to the target
/// group the listener used to forward everything to.
async fn redirect_with_forward_rule(ep: &str, lb_arn: &str) -> String {
    let listener = seed_elb::forward_rule(ep, US, ALB, lb_arn).await;
    seed_elb::elbv2(ep, US)
        .modify_listener()
        .listener_arn(&listener)
        .default_actions(redirect())
        .send()
        .await
        .expect("redirect by default");
    listener
}

/// (priority, action types, redirect protocol of the first action) of every
/// rule of `listener`, the default one included.
async fn rules(ep: &str, listener: &str) -> Vec<(String, Vec<String>, Option<String>)> {
    let out = seed_elb::elbv2(ep, US)
        .describe_rules()
        .listener_arn(listener)
        .send()
        .await
        .expect("rules");
    let mut v: Vec<(String, Vec<String>, Option<String>)> = out
        .rules()
        .iter()
        .map(|r| {
            (
                r.priority().unwrap_or_default().to_string(),
                r.actions()
                    .iter()
                    .map(|a| {
                        a.r#type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
                r.actions()
                    .first()
                    .and_then(|a| a.redirect_config())
                    .and_then(|c| c.protocol())
                    .map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn https_listeners_judge_every_rule_and_the_fix_redirects_them() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let st = state.path();
    let lb = block_on(seed_elb::seed_alb(ep, US, ALB));
    let listener = block_on(redirect_with_forward_rule(ep, &lb));
    let resource = format!("listener/{US}/{ALB}/80");
    let before = block_on(rules(ep, &listener));
    assert!(
        before
            .iter()
            .any(|(p, kinds, _)| p == "10" && kinds == &["forward"]),
        "{before:?}"
    );

    // The default action redirects, the /api/* rule forwards: fail, naming it.
    let scan = scan_item(ep, st, &["--region", US], "elb.https-listeners");
    assert_eq!(resource_status(&scan, &resource), "fail", "{scan}");
    let detail = finding_detail(&scan, &resource);
    assert!(
        detail.contains("priority 10") && detail.contains("/api/*"),
        "{detail}"
    );

    // The preview shows the rule before and after.
    let o = run_moat(ep, st, &["--region", US, "plan", "elb.https-listeners"]);
    let preview = output_text(&o);
    assert!(
        preview.contains("elasticloadbalancing:ModifyRule")
            && preview.contains("rule 10 of listener")
            && preview.contains("\"Conditions\""),
        "{preview}"
    );

    apply_resource(
        ep,
        st,
        &["--region", US],
        "elb.https-listeners",
        &resource,
        &[],
    );
    // Every rule, default included, redirects to HTTPS; the rule stays.
    let after = block_on(rules(ep, &listener));
    assert_eq!(after.len(), before.len(), "{after:?}");
    for (priority, kinds, protocol) in &after {
        assert_eq!(kinds, &["redirect"], "rule {priority}: {after:?}");
        assert_eq!(protocol.as_deref(), Some("HTTPS"), "rule {priority}");
    }
    let scan = scan_item(ep, st, &["--region", US], "elb.https-listeners");
    assert_eq!(resource_status(&scan, &resource), "pass", "{scan}");

    let o = run_moat(ep, st, &["--region", US, "undo", "--last", "--yes"]);
    assert_ok(&o);
    assert_eq!(
        block_on(rules(ep, &listener)),
        before,
        "undo restores the rule"
    );
}

// ---------------------------------------------------------------------------
// rds.public-instances: the pending-modifications queue

const QUEUED_DB: &str = "queued-public-db";

struct Db {
    public: bool,
    class: String,
    pending_class: Option<String>,
}

async fn db(ep: &str, id: &str) -> Db {
    let out = seed_rds::rds(ep, US)
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .expect("describe");
    let i = out.db_instances().first().expect("instance");
    Db {
        public: i.publicly_accessible().expect("flag"),
        class: i.db_instance_class().unwrap_or_default().to_string(),
        pending_class: i
            .pending_modified_values()
            .and_then(|p| p.db_instance_class())
            .map(str::to_string),
    }
}

/// A public db.t3.micro instance with a move to db.m5.large queued for its
/// maintenance window.
async fn queued_class_change(ep: &str) {
    seed_rds::public_db(ep, US, QUEUED_DB).await;
    seed_rds::rds(ep, US)
        .modify_db_instance()
        .db_instance_identifier(QUEUED_DB)
        .db_instance_class("db.m5.large")
        .apply_immediately(false)
        .send()
        .await
        .expect("queue a class change");
}

#[test]
fn public_instances_leave_queued_modifications_for_the_window_unless_told() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let st = state.path();
    block_on(queued_class_change(ep));
    let resource = format!("db/{US}/{QUEUED_DB}");
    let d = block_on(db(ep, QUEUED_DB));
    assert!(d.public && d.class == "db.t3.micro");
    assert_eq!(d.pending_class.as_deref(), Some("db.m5.large"));

    // The finding and the preview name what is queued.
    let scan = scan_item(ep, st, &["--region", US], "rds.public-instances");
    assert_eq!(resource_status(&scan, &resource), "fail", "{scan}");
    let detail = finding_detail(&scan, &resource);
    assert!(
        detail.contains("maintenance window") && detail.contains("db.m5.large"),
        "{detail}"
    );
    let o = run_moat(ep, st, &["--region", US, "plan", "rds.public-instances"]);
    let preview = output_text(&o);
    assert!(
        preview.contains("warning:")
            && preview.contains("DBInstanceClass db.t3.micro → db.m5.large"),
        "{preview}"
    );

    // Default: the public endpoint goes now, the class change keeps waiting.
    apply_resource(
        ep,
        st,
        &["--region", US],
        "rds.public-instances",
        &resource,
        &[],
    );
    let d = block_on(db(ep, QUEUED_DB));
    assert!(!d.public, "public access is removed at once");
    assert_eq!(
        d.class, "db.t3.micro",
        "the queued class change is not applied"
    );
    assert_eq!(d.pending_class.as_deref(), Some("db.m5.large"));
    let scan = scan_item(ep, st, &["--region", US], "rds.public-instances");
    assert_eq!(resource_status(&scan, &resource), "pass", "{scan}");

    // Undo puts the endpoint back, and still leaves the queue alone.
    let o = run_moat(ep, st, &["--region", US, "undo", "--last", "--yes"]);
    assert_ok(&o);
    let d = block_on(db(ep, QUEUED_DB));
    assert!(d.public && d.class == "db.t3.micro");
    assert_eq!(d.pending_class.as_deref(), Some("db.m5.large"));

    // apply_at=now: the queue is applied with the change, as chosen.
    apply_resource(
        ep,
        st,
        &["--region", US],
        "rds.public-instances",
        &resource,
        &["apply_at=now"],
    );
    let d = block_on(db(ep, QUEUED_DB));
    assert!(!d.public);
    assert_eq!(d.class, "db.m5.large");
    assert_eq!(d.pending_class, None);
}
