//! Secrets never leave the process: a whole CLI session against moto (scan,
//! plan and apply of S3 MFA Delete with an MFA code, an undo given another
//! code, a password-policy apply), with the most verbose logging, never
//! writes the access key id, the secret key, the session token or an MFA
//! code to the log, the journal, the progress file, or any output.
//!
//! moto has no root caller, and S3 MFA Delete needs one: the proxy answers
//! sts:GetCallerIdentity with the account's root ARN, as AWS would for root
//! credentials.

mod support;

use std::path::Path;
use std::process::Output;
use support::{Moto, Proxy, block_on, iam_client, moat_cmd, temp_state_dir};

const KEY_ID: &str = "AKIAMOATLEAKCHECK001";
const SECRET: &str = "MoatSecretLeakCheck/abc+123xyz";
const TOKEN: &str = "MoatSessionTokenLeakCheck987";
const MFA_SERIAL: &str = "arn:aws:iam::123456789012:mfa/root-account-mfa-device";
const CODE_APPLY: &str = "493817";
const CODE_UNDO: &str = "572904";

fn run(ep: &str, state: &Path, args: &[&str]) -> Output {
    moat_cmd(ep, state)
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        // Everything moat and the SDK can log, headers included.
        .env("MOAT_LOG", "trace")
        .args(args)
        .output()
        .expect("run moat")
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn no_secret_reaches_a_file_or_an_output() {
    let moto = Moto::start();
    block_on(support::seed_failing_s3_and_cloudfront(&moto.endpoint));
    block_on(async {
        iam_client(&moto.endpoint)
            .await
            .update_account_password_policy()
            .minimum_password_length(8)
            .send()
            .await
            .expect("weak password policy");
    });
    let proxy = Proxy::start(moto.port);
    support::answer_as_root(&proxy);
    let ep = proxy.endpoint.as_str();
    let state = temp_state_dir();
    let st = state.path();
    let serial = format!("mfa_serial={MFA_SERIAL}");
    let code = format!("mfa_code={CODE_APPLY}");
    let undo_code = format!("mfa_code={CODE_UNDO}");

    let mut outputs: Vec<(String, Output)> = vec![];
    outputs.push(("scan".into(), run(ep, st, &["scan", "--format", "json"])));
    let plan = run(
        ep,
        st,
        &[
            "plan",
            "s3.mfa-delete",
            "--input",
            &serial,
            "--input",
            &code,
        ],
    );
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        support::output_text(&plan)
    );
    assert!(
        support::output_text(&plan).contains("s3:PutBucketVersioning"),
        "the root caller gets a plan: {}",
        support::output_text(&plan)
    );
    outputs.push(("plan".into(), plan));
    let apply = run(
        ep,
        st,
        &[
            "apply",
            "s3.mfa-delete",
            "--input",
            &serial,
            "--input",
            &code,
            "--yes",
        ],
    );
    // moto ignores MFA Delete, so the verification reports a difference (exit
    // 1); the call itself went out with the MFA header.
    assert!(
        support::output_text(&apply).contains("done  s3:PutBucketVersioning"),
        "{}",
        support::output_text(&apply)
    );
    outputs.push(("apply".into(), apply));
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.operation == "PutBucketVersioning"),
        "the change was sent"
    );
    outputs.push((
        "undo".into(),
        run(
            ep,
            st,
            &[
                "undo", "--last", "--input", &serial, "--input", &undo_code, "--yes",
            ],
        ),
    ));
    outputs.push((
        "apply password policy".into(),
        run(ep, st, &["apply", "account.password-policy", "--yes"]),
    ));
    outputs.push(("undo list".into(), run(ep, st, &["undo"])));

    let secrets = [KEY_ID, SECRET, TOKEN, CODE_APPLY, CODE_UNDO];
    for (what, o) in &outputs {
        let text = support::output_text(o);
        for s in secrets {
            assert!(
                support::find_secret(&text, s).is_none(),
                "{what} printed a secret ({s}):\n{text}"
            );
        }
    }
    let all = files(st);
    let log = all
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == "moat.log"))
        .expect("a log file");
    let log_text = std::fs::read_to_string(log).expect("read log");
    assert!(
        log_text.contains("TRACE") || log_text.contains("DEBUG"),
        "verbose logging was on"
    );
    assert!(
        all.iter().any(|p| p.to_string_lossy().contains("journal")),
        "a journal was written: {all:?}"
    );
    for f in &all {
        let bytes = std::fs::read(f).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            if let Some(at) = support::find_secret(&text, s) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(300)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                let to = (at + 200).min(text.len());
                panic!(
                    "{} holds a secret ({s}):\n…{}…",
                    f.display(),
                    text.get(from..to).unwrap_or("")
                );
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(f).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", f.display());
        }
    }
}
