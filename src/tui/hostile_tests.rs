//! Hostile account text on screen: names, Sids, principals, comments,
//! aliases, descriptions and contacts holding escape sequences (CSI, OSC
//! title, OSC 8 links), other C0 and C1 controls, bidi overrides, zero-width
//! characters and very long strings, plus a 20 KB bucket policy. The main
//! view, an item's detail and the diff preview of a plan touching that
//! policy render into `TestBackend` without panicking, and no cell holds a
//! character a terminal would act on.

use super::model::{Focus, Model, Overlay};
use super::tests::{code, key, loaded, select};
use super::update::update_inline as update;
use super::view;
use crate::aws::inventory::Inventory;
use crate::collect::Mode;
use crate::collect::demo::demo_inventory;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

const H_ID: &str = "\u{1b}[2J\u{1b}]0;title\u{7}\u{1b}]8;;http:evil\u{1b}\\click\u{1b}]8;;\u{1b}\\\u{85}\u{9b}31m\u{202e}\u{8}\r\n\t\u{7f}\u{2066}\u{200b}\u{0}";
const H_TEXT: &str =
    "\u{1b}]8;;https://evil.example/x\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{9c}\u{1b}[0m";
const WWW: &str = "example-corp-www";

fn replace_in_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_in_strings(x, from, to)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_in_strings(x, from, to)),
        _ => {}
    }
}

fn each_object(v: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| each_object(x, f)),
        Value::Object(m) => {
            f(m);
            m.values_mut().for_each(|x| each_object(x, f));
        }
        _ => {}
    }
}

/// The demo account with hostile text everywhere the account controls it.
fn hostile_inventory() -> Inventory {
    let mut doc = serde_json::to_value(demo_inventory().expect("demo")).expect("to json");
    for name in [
        WWW,
        "example-corp-assets",
        "dana",
        "lee",
        "backup-sync",
        "legacy-reporting",
        "ops-admin",
        "E3ASSETS7QZ4KX",
        "Admins",
        "management-events",
    ] {
        replace_in_strings(&mut doc, name, &format!("{name}{H_ID}"));
    }
    let text = format!("{H_TEXT}{H_ID}");
    each_object(&mut doc, &mut |m| {
        let contact = m.contains_key("email");
        for k in ["Sid", "comment", "description", "title", "name"] {
            if k == "name" && !contact {
                continue;
            }
            if let Some(Value::String(s)) = m.get_mut(k) {
                s.push_str(&text);
                s.push_str(&"long ".repeat(800));
            }
        }
        if let Some(Value::Array(a)) = m.get_mut("aliases") {
            a.push(Value::String(format!("evil{H_ID}.example.com")));
        }
    });
    let buckets = doc["s3"]["value"]["buckets"]
        .as_array_mut()
        .expect("buckets");
    let www = buckets
        .iter_mut()
        .find(|b| b["name"].as_str().is_some_and(|n| n.starts_with(WWW)))
        .expect("www bucket");
    let bucket = www["name"].as_str().expect("name").to_string();
    let stmts = www["policy"]["value"]["Statement"]
        .as_array_mut()
        .expect("statements");
    for i in 0..60 {
        stmts.push(json!({
            "Sid": format!("Team{i}{H_ID}"),
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::111122223333:user/dev{i}{H_ID}")},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/team{i}/*")],
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("t{i}{text}")}}
        }));
    }
    let len = serde_json::to_string(&www["policy"]["value"])
        .expect("policy")
        .len();
    assert!(len >= 20_000, "policy is {len} bytes");
    serde_json::from_value(doc).expect("still an inventory")
}

fn dangerous(c: char) -> bool {
    c.is_control()
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Render at a few sizes; every cell must be inert. Returns the 120×36 screen.
fn render_inert(m: &Model, what: &str) -> String {
    let mut screen = String::new();
    for (w, h) in [(120, 36), (80, 24), (40, 12), (200, 60)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        t.draw(|f| view::render(f, m)).expect("draw");
        let b = t.backend().buffer();
        for y in 0..h {
            for x in 0..w {
                let sym = b[(x, y)].symbol();
                assert!(
                    !sym.chars().any(dangerous),
                    "{what} at {w}x{h}: cell ({x}, {y}) holds {sym:?}"
                );
            }
        }
        if w == 120 {
            screen = (0..h)
                .map(|y| (0..w).map(|x| b[(x, y)].symbol()).collect::<String>() + "\n")
                .collect();
        }
    }
    screen
}

#[test]
fn hostile_main_view_and_details_are_inert() {
    let mut m = loaded(Mode::Demo, &hostile_inventory());
    render_inert(&m, "main view");
    for id in [
        "s3.public-policies",
        "s3.bucket-public-access-block",
        "account.console-users-mfa",
        "account.stale-access-keys",
        "account.backup-admin",
        "cloudfront.https-only",
    ] {
        select(&mut m, id);
        let screen = render_inert(&m, id);
        m.focus = Focus::Detail;
        render_inert(&m, id);
        if id == "s3.public-policies" {
            assert!(screen.contains("u{1b}"), "escapes not shown:\n{screen}");
        }
    }
}

#[test]
fn hostile_policy_diff_preview_is_inert() {
    for (id, marker) in [
        // Removes the public statement; the hostile ones are kept.
        ("s3.public-policies", "PublicReadGetObject"),
        // Appends a statement after the 60 hostile ones.
        ("s3.deny-insecure-transport", "Team59"),
    ] {
        let mut m = loaded(Mode::Demo, &hostile_inventory());
        select(&mut m, id);
        update(&mut m, key('p'));
        let Some(Overlay::Preview(p)) = &m.overlay else {
            panic!("{id}: no preview: {:?}", m.flash)
        };
        // The plan's diff covers the 20 KB policy.
        assert!(
            p.lines.iter().any(|l| l.text.contains(marker)),
            "{id}: {marker} is not in the diff"
        );
        let pages = p.lines.len() / 10 + 2;
        render_inert(&m, id);
        for _ in 0..pages {
            update(&mut m, code(KeyCode::PageDown));
            render_inert(&m, id);
        }
        update(&mut m, code(KeyCode::End));
        render_inert(&m, id);
        // The confirmation lists the same hostile resources.
        update(&mut m, key('a'));
        assert!(matches!(m.overlay, Some(Overlay::Confirm(_))), "{id}");
        render_inert(&m, id);
    }
}
