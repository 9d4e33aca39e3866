//! The input form: prefilled defaults, validation, plan input errors, secret
//! inputs, and a picked resource as the only one planned.

use super::*;

#[test]
fn inputs_open_a_form_and_validation_blocks_submit() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.alternate-contacts");
    let e = update(&mut m, key('p'));
    assert!(e.is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(
        f.fields.iter().map(|f| f.spec.name).collect::<Vec<_>>(),
        ["name", "title", "email", "phone"]
    );
    assert_eq!(f.fields[2].label, "E-mail address");
    assert!(
        f.fields.iter().all(|f| f.shown_error().is_none()),
        "no errors before typing"
    );

    // Submitting empty fields shows every error and stays in the form.
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.fields[0].shown_error(), Some("a value is required"));
    assert_eq!(f.focus, 0);

    typed(&mut m, "Cloud Security Team");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "Security Operations");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "security@example");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(
        f.fields[2]
            .shown_error()
            .unwrap()
            .contains("not an e-mail address")
    );
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "+1 555 0100");
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("blocked by the e-mail")
    };
    assert_eq!(f.focus, 2, "focus moves to the invalid field");

    // Shift-Tab / Up move back; fix the e-mail.
    typed(&mut m, ".com");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(f.fields[2].shown_error().is_none());
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.ops.len(), 2, "operations and security are missing");
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.contains("security@example.com"))
    );
    assert_eq!(
        m.inputs["account.alternate-contacts"].values["email"],
        "security@example.com"
    );

    // Next time, the stored values are used; `i` edits them.
    update(&mut m, code(KeyCode::Esc));
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
    update(&mut m, key('i'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.fields[2].value, "security@example.com");
    update(&mut m, code(KeyCode::BackTab));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.focus, 3);
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
}

#[test]
fn form_prefills_defaults_and_shows_plan_input_errors() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.backup-admin");
    update(&mut m, key('p'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(f.fields[0].value, "break-glass-admin");
    // A name that exists is refused by the plan builder: back in the form, error under the field.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "dana");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(
        f.fields[0]
            .shown_error()
            .unwrap()
            .contains("already exists"),
        "{:?}",
        f.fields[0]
    );
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "break-glass");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(
        p.ops
            .iter()
            .any(|o| o.action == "iam:CreateUser" && o.resource == "user/break-glass")
    );
}

/// The MFA code typed for S3 MFA Delete is masked in the form, is not kept
/// once the change is confirmed, and is asked for afresh next time.
#[test]
fn mfa_code_is_masked_and_forgotten_after_confirming() {
    let mut inv = demo_inventory().expect("demo");
    if let Some(id) = inv.identity.ready_mut() {
        id.arn = format!("arn:aws:iam::{DEMO_ACCOUNT}:root");
    }
    let mut m = loaded(Mode::Demo, &inv);
    select(&mut m, "s3.mfa-delete");
    update(&mut m, key('p'));
    assert!(
        matches!(m.overlay, Some(Overlay::Form(_))),
        "{:?}",
        m.overlay
    );
    typed(&mut m, "arn:aws:iam::111122223333:mfa/root-device");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "493817");
    let screen = crate::tui::snapshots::render_text(&m);
    assert!(!screen.contains("493817"), "the code is masked:\n{screen}");
    assert!(screen.contains("••••••"), "{screen}");
    update(&mut m, code(KeyCode::Enter));
    assert!(
        matches!(m.overlay, Some(Overlay::Preview(_))),
        "{:?}",
        m.overlay
    );
    update(&mut m, key('a'));
    let e = update(&mut m, key('y'));
    let [Effect::Apply { plan, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(plan.steps.iter().any(|s| s.op.needs_mfa()));
    let kept = m.inputs.get("s3.mfa-delete").expect("inputs");
    assert!(!kept.values.contains_key("mfa_code"), "{kept:?}");
    assert!(kept.values.contains_key("mfa_serial"));
    assert!(!format!("{:?}", m.inputs).contains("493817"));
}

#[test]
fn a_picked_finding_is_the_only_resource_planned_and_bad_cidrs_are_inline_errors() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "ec2.open-admin-ports");
    m.focus = Focus::Detail;
    // Enter picks the failing resources one by one, in the pane's order
    // (region by region), and wraps to "all" after the last.
    update(&mut m, code(KeyCode::Enter));
    let first = m.picked_resource().expect("picked").to_string();
    assert!(first.starts_with("sg-rule/eu-west-1/"), "{first}");
    update(&mut m, code(KeyCode::Enter));
    let second = m.picked_resource().expect("picked").to_string();
    assert_eq!(
        second,
        "sg-rule/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1/tcp:3389/0.0.0.0/0"
    );
    // Preview asks for the inputs first; a malformed CIDR is an inline error.
    update(&mut m, key('p'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(
        f.fields.iter().map(|f| f.spec.name).collect::<Vec<_>>(),
        ["action", "cidr"]
    );
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "10.0.0.1/8");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(
        f.fields[1]
            .shown_error()
            .is_some_and(|e| e.contains("did you mean 10.0.0.0/8")),
        "{:?}",
        f.fields[1].shown_error()
    );
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    assert!(matches!(m.overlay, Some(Overlay::Form(_))), "blocked");
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "192.0.2.0/24");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let touched: Vec<String> = p.plan.ops().map(|o| o.resource().to_string()).collect();
    assert_eq!(
        touched,
        vec![
            "sg/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1",
            "sg/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1"
        ]
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.contains("from tcp 3389 192.0.2.0/24")),
        "the rule table is the preview"
    );
    update(&mut m, code(KeyCode::Esc));
    // Revoke needs no CIDR: the empty field does not block it.
    update(&mut m, key('i'));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "revoke");
    update(&mut m, code(KeyCode::Tab));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.plan.steps.len(), 1);
    update(&mut m, code(KeyCode::Esc));
    // But tighten does: the form stays on the empty CIDR.
    update(&mut m, key('i'));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "tighten");
    update(&mut m, code(KeyCode::Tab));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(f.focus, 1);
    update(&mut m, code(KeyCode::Esc));
    // Esc in the details un-picks first, then leaves the pane.
    update(&mut m, code(KeyCode::Esc));
    assert!(m.picked_resource().is_none());
    assert_eq!(m.focus, Focus::Detail);
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.focus, Focus::Items);
    // A pick belongs to its item.
    m.focus = Focus::Detail;
    update(&mut m, code(KeyCode::Enter));
    assert!(m.picked_resource().is_some());
    select(&mut m, "ec2.imdsv2");
    assert!(m.picked_resource().is_none());
}
