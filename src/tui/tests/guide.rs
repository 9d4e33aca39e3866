//! The guided session's keys: the section page, the `/` filter, the
//! attention toggle and the walk in the guide's order with its progress.

use super::*;
use crate::tui::keymap::{Action, Context, Keymap, binding};

fn listed(m: &Model) -> Vec<&'static str> {
    m.current_items().iter().map(|(_, d)| d.id).collect()
}

/// Every item any section lists, in guide order.
fn listed_everywhere(m: &Model) -> Vec<String> {
    (0..m.results.len())
        .filter(|g| m.shown(*g))
        .map(|g| m.results[g].id.clone())
        .collect()
}

#[test]
fn slash_types_a_filter_enter_keeps_it_and_esc_clears_it() {
    let mut m = demo(Mode::Demo);
    let all = crate::checks::items().len();
    update(&mut m, key('/'));
    assert!(m.filter_editing);
    // Keys type into the filter: q does not quit, n does not walk.
    typed(&mut m, "Root");
    assert!(!m.quit);
    assert_eq!(m.filter, "Root");
    let shown = listed_everywhere(&m);
    assert!(!shown.is_empty() && shown.len() < all, "{shown:?}");
    for id in &shown {
        let r = m.result(id).expect("result");
        assert!(
            r.id.to_lowercase().contains("root") || r.title.to_lowercase().contains("root"),
            "{id}"
        );
    }
    // The selection stays on a listed item.
    assert!(shown.contains(&selected(&m).to_string()));
    update(&mut m, code(KeyCode::Backspace));
    assert_eq!(m.filter, "Roo");
    update(&mut m, key('t'));
    update(&mut m, code(KeyCode::Enter));
    assert!(!m.filter_editing);
    assert_eq!(m.filter, "Root");
    // Back in the lists, keys mean actions again; the filter stays.
    update(&mut m, key('j'));
    assert_eq!(m.filter, "Root");
    update(&mut m, key('/'));
    assert_eq!(m.filter, "Root", "typing again starts from the kept filter");
    update(&mut m, code(KeyCode::Esc));
    assert!(!m.filter_editing);
    assert!(m.filter.is_empty());
    assert_eq!(listed_everywhere(&m).len(), all);
    // Esc in the lists clears a kept filter before it moves the focus.
    update(&mut m, key('/'));
    typed(&mut m, "mfa");
    update(&mut m, code(KeyCode::Enter));
    let focus = m.focus;
    update(&mut m, code(KeyCode::Esc));
    assert!(m.filter.is_empty());
    assert_eq!(m.focus, focus);
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.focus, Focus::Sections);
}

#[test]
fn the_filter_finds_items_across_sections_and_moves_to_a_section_that_has_some() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.root-access-keys");
    update(&mut m, key('/'));
    typed(&mut m, "encrypt");
    let shown = listed_everywhere(&m);
    let sections: std::collections::BTreeSet<&str> = shown
        .iter()
        .filter_map(|id| crate::checks::item(id).map(|d| d.section))
        .collect();
    assert!(sections.len() > 1, "{shown:?}");
    assert!(!sections.contains("account"), "{shown:?}");
    // The account section lists none, so the selection moved on to the first
    // section that lists one.
    assert_eq!(
        m.current_items().first().map(|(_, d)| d.id),
        shown.first().map(String::as_str)
    );
    assert_eq!(selected(&m), shown[0]);
    // ctrl-u clears the text and stays in the filter.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert!(m.filter.is_empty() && m.filter_editing);
    typed(&mut m, "no such item");
    assert!(m.current_items().is_empty());
    update(&mut m, code(KeyCode::Enter));
    assert!(
        m.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("no item matches"))
    );
    assert!(m.current().is_none());
}

#[test]
fn f_lists_only_the_items_that_need_attention() {
    let mut m = demo(Mode::Demo);
    let pass = m
        .results
        .iter()
        .find(|r| r.status == Status::Pass)
        .map(|r| r.id.clone())
        .expect("the demo has a passing item");
    let section = crate::checks::item(&pass).expect("item").section;
    select(&mut m, &pass);
    update(&mut m, key('f'));
    assert!(m.attention_only);
    let shown = listed_everywhere(&m);
    assert!(!shown.contains(&pass));
    assert!(
        shown
            .iter()
            .all(|id| super::super::update::needs_attention(status(&m, id)))
    );
    // The passing item was selected: its section's first listed item is now.
    assert_eq!(m.section_id(), Some(section));
    assert!(!listed(&m).contains(&pass.as_str()));
    update(&mut m, key('f'));
    assert!(!m.attention_only);
    assert_eq!(listed_everywhere(&m).len(), crate::checks::items().len());
}

#[test]
fn w_switches_the_walk_to_the_guides_order_passing_items_included() {
    let mut m = demo(Mode::Demo);
    let items = crate::checks::items();
    let g = (1..items.len())
        .find(|g| m.results[*g].status == Status::Pass)
        .expect("a passing item after the first");
    let before = items[g - 1].id;
    let passing = items[g].id;
    // "next to fix" skips the passing item.
    select(&mut m, before);
    update(&mut m, key('n'));
    assert_ne!(selected(&m), passing);
    // The guide's order stops at it.
    select(&mut m, before);
    update(&mut m, key('w'));
    assert_eq!(m.walk, Walk::Guide);
    update(&mut m, key('n'));
    assert_eq!(selected(&m), passing);
    update(&mut m, key('N'));
    assert_eq!(selected(&m), before);
    // Item by item across a section's end.
    let last_of_account = m
        .section_items("account")
        .last()
        .map(|(_, d)| d.id)
        .expect("account items");
    select(&mut m, last_of_account);
    update(&mut m, key('n'));
    assert_eq!(m.section_id(), Some("s3"));
    assert_eq!(m.item, 0);
    update(&mut m, key('w'));
    assert_eq!(m.walk, Walk::Attention);
}

#[test]
fn walk_progress_counts_the_section_and_items_passing_or_marked_done() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "rds.public-instances");
    let p = m.walk_progress();
    assert_eq!((p.section, p.sections), (4, 12));
    assert_eq!(p.items, crate::checks::items().len());
    let settled = m
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                Status::Pass | Status::Accepted | Status::NotApplicable
            )
        })
        .count();
    assert_eq!(p.done, settled);
    // A guided item marked done counts; unmarking takes it back.
    select(&mut m, "account.billing-access");
    update(&mut m, key('m'));
    assert_eq!(m.walk_progress().done, settled + 1);
    update(&mut m, key('m'));
    assert_eq!(m.walk_progress().done, settled);
}

#[test]
fn walk_stays_among_the_listed_items() {
    let mut m = demo(Mode::Demo);
    update(&mut m, key('/'));
    typed(&mut m, "mfa");
    update(&mut m, code(KeyCode::Enter));
    update(&mut m, key('w'));
    let shown = listed_everywhere(&m);
    assert!(shown.len() > 2, "{shown:?}");
    let first = selected(&m).to_string();
    let mut seen = vec![first.clone()];
    for _ in 1..shown.len() {
        update(&mut m, key('n'));
        seen.push(selected(&m).to_string());
    }
    assert_eq!(seen, shown);
    update(&mut m, key('n'));
    assert_eq!(selected(&m), first, "wraps to the first listed item");
}

#[test]
fn the_page_keys_scroll_the_section_page_while_the_sections_have_the_keyboard() {
    let mut m = demo(Mode::Demo);
    m.focus = Focus::Sections;
    update(&mut m, code(KeyCode::PageDown));
    assert_eq!(m.section, 0);
    assert_eq!(m.detail_scroll, 10);
    update(&mut m, code(KeyCode::PageUp));
    assert_eq!(m.detail_scroll, 0);
    // Moving to another section starts its page at the top.
    update(&mut m, code(KeyCode::PageDown));
    update(&mut m, key('j'));
    assert_eq!((m.section, m.detail_scroll), (1, 0));
}

#[test]
fn the_new_actions_are_rebindable_and_the_filter_types_plain_characters() {
    let b = binding(Context::Main, "filter", &["ctrl-f".into()], "[keys.main]").expect("filter");
    let w = binding(Context::Main, "walk_mode", &["W".into()], "[keys.main]").expect("walk");
    let f = binding(
        Context::Main,
        "attention_only",
        &["!".into()],
        "[keys.main]",
    )
    .expect("att");
    let k = Keymap::with_overrides(&[b, w, f]).expect("keymap");
    let ctrl_f = KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL);
    assert_eq!(k.action(Context::Main, &ctrl_f), Some(Action::Filter));
    assert_eq!(
        k.action(
            Context::Main,
            &KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)
        ),
        None
    );
    assert_eq!(
        k.action(
            Context::Main,
            &KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE)
        ),
        Some(Action::AttentionOnly)
    );
    let mut m = Model::new(Mode::Demo, Settings::default(), k, fixed_now());
    super::super::update::load_inventory(&mut m, &demo_inventory().expect("demo"));
    update(&mut m, Msg::Key(ctrl_f));
    assert!(m.filter_editing);
    let e = binding(
        Context::Filter,
        "keep_filter",
        &["x".into()],
        "[keys.filter]",
    )
    .unwrap_err();
    assert!(e.contains("types"), "{e}");
    binding(
        Context::Filter,
        "keep_filter",
        &["tab".into()],
        "[keys.filter]",
    )
    .expect("tab");
}

#[test]
fn no_default_key_is_taken_twice_in_a_context() {
    let k = Keymap::builtin().expect("keymap");
    for (ctx, rows) in k.help() {
        let mut seen = std::collections::BTreeSet::new();
        for (keys, _) in rows {
            for key in keys.split(", ") {
                assert!(seen.insert(key.to_string()), "{ctx:?}: {key} bound twice");
            }
        }
    }
}
