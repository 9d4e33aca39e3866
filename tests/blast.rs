//! `moat plan` on the built-in demo account names each plan's blast radius
//! under its calls: who uses a security group it changes, who loses read on
//! a bucket and the distribution serving it, what a new KMS key, a flow log
//! or GuardDuty costs.

#[path = "support/command.rs"]
mod command;
use command::{demo_at_fixed_time as moat, output_text};

fn plan(args: &[&str]) -> String {
    let state = tempfile::Builder::new()
        .prefix("moat-blast-")
        .tempdir()
        .expect("temp dir");
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    let o = moat(state.path(), &all);
    let text = output_text(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    // The radius comes before the diffs.
    text.split("\n--- ").next().unwrap_or_default().to_string()
}

/// The lines of the note that starts with `head`, up to the next note.
fn note<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.contains(head));
    let first = lines.next().unwrap_or_else(|| panic!("no {head}: {text}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("        ")))
        .collect()
}

#[test]
fn a_tightened_group_names_its_instances_load_balancers_and_databases() {
    let text = plan(&["ec2.open-admin-ports", "--input", "cidr=10.0.0.0/8"]);
    assert!(text.contains("Blast radius"), "{text}");
    let web = note(&text, "Security group web-servers in").join("\n");
    assert!(
        web.contains("instances: web-1 (i-0a7a8b9c0d1e2f301), web-2 (i-0a7a8b9c0d1e2f302)"),
        "{web}"
    );
    // Interfaces are named by what owns them.
    assert!(web.contains("eni-0a5f6a7b8c9d0e10b (Lambda)"), "{web}");
    let alb = note(&text, "Security group public-alb in").join("\n");
    assert!(
        alb.contains("eni-0a5f6a7b8c9d0e107 (Application Load Balancer example-corp-web)"),
        "{alb}"
    );
    assert!(
        alb.contains(
            "load balancers: example-corp-api (application), example-corp-legacy (classic), example-corp-web (application)"
        ),
        "{alb}"
    );
    let db = note(&text, "Security group legacy-mysql in").join("\n");
    assert!(
        db.contains("DB instances: example-corp-legacy-mysql (mysql)"),
        "{db}"
    );
    let unused = note(&text, "Security group launch-wizard-1 in");
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert!(unused[0].contains("uses it now"), "{unused:?}");
}

#[test]
fn a_bucket_block_names_the_distribution_and_the_public_losing_read() {
    let text = plan(&["s3.bucket-public-access-block"]);
    let assets = note(&text, "Bucket example-corp-assets:").join("\n");
    assert!(
        assets.contains("CloudFront distributions serving it: E3ASSETS7QZ4KX"),
        "{assets}"
    );
    assert!(assets.contains("no OAC or OAI"), "{assets}");
    assert!(
        assets.contains("would lose read access: everyone (public)"),
        "{assets}"
    );
    let data = note(&text, "Bucket example-corp-app-data:").join("\n");
    assert!(
        data.contains("nobody among the readers moat counts"),
        "{data}"
    );
}

#[test]
fn a_new_key_names_its_monthly_cost_and_the_readers_that_need_it() {
    let text = plan(&["cloudtrail.encrypted"]);
    assert!(
        text.contains("KMS key alias/moat-cloudtrail (us-east-1): a customer managed key costs about $1.00 a month"),
        "{text}"
    );
    assert!(text.contains("Prices are approximate"), "{text}");
    // The log bucket's readers are named as needing the key.
    let trail = note(&text, "Trail management-events will encrypt").join("\n");
    assert!(trail.contains("kms:Decrypt"), "{trail}");
    assert!(trail.contains("readers moat counts today: none"), "{trail}");
}

#[test]
fn flow_logs_and_guardduty_name_their_price_by_volume() {
    let text = plan(&["vpc.flow-logs"]);
    assert!(
        text.contains(
            "Flow log of VPC vpc-0d1e2f3a4b5c60002 (us-east-1) to S3: about $0.25 per GB"
        ),
        "{text}"
    );
    assert!(text.contains("Prices are approximate"), "{text}");
    let text = plan(&["vpc.threat-detection"]);
    assert!(
        text.contains("GuardDuty in eu-west-1: free for 30 days"),
        "{text}"
    );
}
