//! Keys ↔ actions. The default keymap is `assets/keymap.toml`, embedded; the
//! config file's `[keys.<context>]` tables may rebind actions. The help screen is
//! generated from the keymap, so it always lists what the keys really do.

use crate::config::KeyTable;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// What has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Main,
    Preview,
    Confirm,
    Form,
    /// The `/` filter while it is typed.
    Filter,
    Dialog,
    /// The journal view (`J`): every batch moat applied to the account.
    Journal,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Main,
        Context::Preview,
        Context::Confirm,
        Context::Form,
        Context::Filter,
        Context::Dialog,
        Context::Journal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Main => "main",
            Context::Preview => "preview",
            Context::Confirm => "confirm",
            Context::Form => "form",
            Context::Filter => "filter",
            Context::Dialog => "dialog",
            Context::Journal => "journal",
        }
    }

    /// Heading on the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Main => "Sections, items and details",
            Context::Preview => "Diff preview",
            Context::Confirm => {
                "Confirmation (scroll keys scroll the calls; any other key cancels)"
            }
            Context::Form => "Input form (other keys type into the field)",
            Context::Filter => "Item filter (other keys type into it)",
            Context::Dialog => "Help and apply results",
            Context::Journal => "Journal of changes (undo)",
        }
    }

    /// Actions that mean something in this context, in help order.
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            Context::Main => &[
                NextAttention,
                PrevAttention,
                WalkMode,
                Filter,
                AttentionOnly,
                Preview,
                Apply,
                EditInputs,
                Mark,
                MarkSection,
                ClearMarks,
                MarkDone,
                Journal,
                Rescan,
                Up,
                Down,
                Left,
                Right,
                FocusNext,
                FocusPrev,
                PageUp,
                PageDown,
                Top,
                Bottom,
                Open,
                Back,
                Help,
                Quit,
            ],
            Context::Preview => &[
                Apply, EditInputs, Up, Down, PageUp, PageDown, Top, Bottom, Close, Help, Quit,
            ],
            Context::Confirm => &[Confirm, Up, Down, PageUp, PageDown, Top, Bottom],
            Context::Form => &[NextField, PrevField, ClearField, Submit, Cancel],
            Context::Filter => &[KeepFilter, ClearField, DropFilter],
            Context::Dialog => &[PlanAgain, Up, Down, PageUp, PageDown, Close, Quit],
            Context::Journal => &[
                Undo, Up, Down, PageUp, PageDown, Top, Bottom, Close, Help, Quit,
            ],
        }
    }
}

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    Left,
    Right,
    Open,
    Back,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Preview,
    Apply,
    EditInputs,
    MarkDone,
    NextAttention,
    PrevAttention,
    WalkMode,
    Filter,
    AttentionOnly,
    Rescan,
    Close,
    Confirm,
    NextField,
    PrevField,
    ClearField,
    Submit,
    Cancel,
    KeepFilter,
    DropFilter,
    PlanAgain,
    Mark,
    MarkSection,
    ClearMarks,
    Journal,
    Undo,
}

impl Action {
    pub const ALL: [Action; 39] = [
        Action::Quit,
        Action::Help,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Back,
        Action::Preview,
        Action::Apply,
        Action::EditInputs,
        Action::MarkDone,
        Action::NextAttention,
        Action::PrevAttention,
        Action::WalkMode,
        Action::Filter,
        Action::AttentionOnly,
        Action::Rescan,
        Action::Close,
        Action::Confirm,
        Action::NextField,
        Action::PrevField,
        Action::ClearField,
        Action::Submit,
        Action::Cancel,
        Action::KeepFilter,
        Action::DropFilter,
        Action::PlanAgain,
        Action::Mark,
        Action::MarkSection,
        Action::ClearMarks,
        Action::Journal,
        Action::Undo,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Preview => "preview",
            Action::Apply => "apply",
            Action::EditInputs => "edit_inputs",
            Action::MarkDone => "mark_done",
            Action::NextAttention => "next_attention",
            Action::PrevAttention => "prev_attention",
            Action::WalkMode => "walk_mode",
            Action::Filter => "filter",
            Action::AttentionOnly => "attention_only",
            Action::Rescan => "rescan",
            Action::Close => "close",
            Action::Confirm => "confirm",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::ClearField => "clear_field",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::KeepFilter => "keep_filter",
            Action::DropFilter => "drop_filter",
            Action::PlanAgain => "plan_again",
            Action::Mark => "mark",
            Action::MarkSection => "mark_section",
            Action::ClearMarks => "clear_marks",
            Action::Journal => "journal",
            Action::Undo => "undo",
        }
    }

    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == s)
    }

    /// One line for the help screen.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit moat",
            Action::Help => "show this help",
            Action::FocusNext => "focus the next pane",
            Action::FocusPrev => "focus the previous pane",
            Action::Up => "move up / scroll up",
            Action::Down => "move down / scroll down",
            Action::Left => "focus the pane to the left",
            Action::Right => "focus the pane to the right",
            Action::PageUp => "scroll up a page",
            Action::PageDown => "scroll down a page",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Open => {
                "open the selected section or item; in the details, pick the next failing resource to fix alone"
            }
            Action::Back => {
                "back to the list on the left (in the details, first un-pick the resource; with a filter, first clear it)"
            }
            Action::Preview => "preview the item's change as a diff",
            Action::Apply => "apply the item's change (asks for confirmation)",
            Action::EditInputs => "edit the values the item's change needs",
            Action::MarkDone => "mark a guided item done / not done",
            Action::NextAttention => {
                "walk on: the next item that needs attention (fail, manual, error), or the next item in the guide's order"
            }
            Action::PrevAttention => "walk back: the previous item of the walk",
            Action::WalkMode => {
                "switch the walk between \"next to fix\" and the guide's order, item by item"
            }
            Action::Filter => {
                "filter items by text across sections (enter keeps it, esc clears it)"
            }
            Action::AttentionOnly => "list only the items that need attention / every item",
            Action::Rescan => "re-scan the account",
            Action::Close => "close",
            Action::Confirm => "apply the listed changes",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::ClearField => "clear the field",
            Action::Submit => "check the values and preview the change",
            Action::Cancel => "cancel (nothing is changed)",
            Action::KeepFilter => "keep the filter and go back to the lists",
            Action::DropFilter => "clear the filter and go back to the lists",
            Action::PlanAgain => "plan the item again",
            Action::Mark => {
                "mark / unmark the item for a batch (with marks, preview and apply act on the marked items as one plan)"
            }
            Action::MarkSection => {
                "mark every failing item of the section that moat can fix (again: unmark them); a change that undo cannot fully reverse is left out of the batch"
            }
            Action::ClearMarks => "clear every mark",
            Action::Journal => "the journal: every change moat made to this account, to undo one",
            Action::Undo => "undo the selected batch (previewed and confirmed like any change)",
        }
    }
}

/// One key, as written in a keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
];

impl Key {
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
            *c
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if !(1..=12).contains(&n) {
                return Err(format!("'{s}': function keys are f1 … f12"));
            }
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "'{s}' is not a key (examples: q, ?, N, ctrl-c, enter, pagedown, f1)"
                    ));
                }
            }
        };
        // Control combinations arrive lower-case.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        Ok(Key { code, mods })
    }

    /// Does a key event from the terminal match this key? Shift is part of
    /// the character for printable keys ("N"), so it is not compared there.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let significant = match ev.code {
            KeyCode::Char(_) | KeyCode::BackTab => KeyModifiers::CONTROL | KeyModifiers::ALT,
            _ => KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT,
        };
        let code = match ev.code {
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        code == self.code && (ev.modifiers & significant) == (self.mods & significant)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((n, _)) => f.write_str(n),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// context → action → keys; actions in `Context::actions` order.
    bindings: BTreeMap<Context, Vec<(Action, Vec<Key>)>>,
}

type RawKeymap = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// One action's keys in one context, as a user binds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<Key>,
}

/// The context called `name` (`main`, `preview`, …).
pub fn context(name: &str) -> Option<Context> {
    Context::ALL.into_iter().find(|c| c.name() == name)
}

/// Check one binding: the action must mean something in the context, every
/// key must parse, and the form cannot bind a plain character (it types).
/// `table` is how the caller's file names the context's table in errors
/// (`[main]`, `[keys.main]`).
pub fn binding(
    ctx: Context,
    action_name: &str,
    keys: &[String],
    table: &str,
) -> Result<Binding, String> {
    let action = Action::from_name(action_name)
        .filter(|a| ctx.actions().contains(a))
        .ok_or_else(|| {
            let known: Vec<&str> = ctx.actions().iter().map(|a| a.name()).collect();
            format!(
                "unknown action '{action_name}' in {table} (known: {})",
                known.join(", ")
            )
        })?;
    let keys = keys
        .iter()
        .map(|k| Key::parse(k).map_err(|e| format!("{table} {action_name}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if matches!(ctx, Context::Form | Context::Filter)
        && keys
            .iter()
            .any(|k| matches!(k.code, KeyCode::Char(_)) && k.mods.is_empty())
    {
        return Err(format!(
            "{table} {action_name}: a plain character cannot be bound in the {} (it types)",
            ctx.name()
        ));
    }
    Ok(Binding {
        context: ctx,
        action,
        keys,
    })
}

/// Check a config file's `[keys.<context>]` tables (a [`crate::config::KeyCheck`]):
/// known contexts and actions, keys that parse, and no key another action of
/// the context takes first. Each problem at its byte range in the file.
pub fn check_tables(tables: &[KeyTable]) -> Vec<(Range<usize>, String)> {
    let mut problems = vec![];
    let mut out: Vec<(Binding, Range<usize>, &[String])> = vec![];
    for t in tables {
        let Some(ctx) = context(&t.context) else {
            let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
            problems.push((
                t.context_span.clone(),
                format!(
                    "unknown context '{}' in [keys] (known: {})",
                    t.context,
                    known.join(", ")
                ),
            ));
            continue;
        };
        let table = format!("[keys.{}]", ctx.name());
        for e in &t.entries {
            match binding(ctx, &e.action, &e.keys, &table) {
                Ok(b) => out.push((b, e.value_span.clone(), &e.keys)),
                Err(msg) => {
                    let span = if msg.starts_with("unknown action") {
                        e.action_span.clone()
                    } else {
                        e.value_span.clone()
                    };
                    problems.push((span, msg));
                }
            }
        }
    }
    let bindings: Vec<Binding> = out.iter().map(|(b, _, _)| b.clone()).collect();
    // A key that another action of the context takes first would never
    // reach the one the user bound it to.
    if let Ok(map) = Keymap::with_overrides(&bindings) {
        for (b, span, names) in &out {
            for (key, name) in b.keys.iter().zip(names.iter()) {
                let ev = KeyEvent::new(key.code, key.mods);
                if let Some(other) = map.action(b.context, &ev).filter(|a| *a != b.action) {
                    problems.push((
                        span.clone(),
                        format!(
                            "[keys.{}] {}: '{name}' is also bound to {}, which takes it first; rebind {} too",
                            b.context.name(),
                            b.action.name(),
                            other.name(),
                            other.name()
                        ),
                    ));
                }
            }
        }
    }
    problems
}

/// The bindings of a config file's `[keys.<context>]` tables (checked by
/// [`check_tables`] when the file was loaded).
pub fn config_bindings(tables: &[KeyTable]) -> Result<Vec<Binding>, String> {
    let mut out = vec![];
    for t in tables {
        let ctx = context(&t.context)
            .ok_or_else(|| format!("unknown context '{}' in [keys]", t.context))?;
        let table = format!("[keys.{}]", ctx.name());
        for e in &t.entries {
            out.push(binding(ctx, &e.action, &e.keys, &table)?);
        }
    }
    Ok(out)
}

fn parse_raw(text: &str, origin: &str) -> Result<Vec<Binding>, String> {
    let raw: RawKeymap = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
    let mut out = vec![];
    for (ctx_name, actions) in raw {
        let ctx =
            context(&ctx_name).ok_or_else(|| format!("{origin}: unknown context [{ctx_name}]"))?;
        let table = format!("[{ctx_name}]");
        for (action_name, keys) in actions {
            out.push(
                binding(ctx, &action_name, &keys, &table).map_err(|e| format!("{origin}: {e}"))?,
            );
        }
    }
    Ok(out)
}

impl Keymap {
    /// The embedded default keymap.
    pub fn builtin() -> Result<Keymap, String> {
        Self::with_overrides(&[])
    }

    /// The default keymap with the user's bindings (the config file's
    /// `[keys.<context>]` tables) on top: a binding replaces the default keys
    /// of that action in that context; an empty list unbinds it.
    pub fn with_overrides(user: &[Binding]) -> Result<Keymap, String> {
        let mut map: BTreeMap<(Context, Action), Vec<Key>> = BTreeMap::new();
        for b in parse_raw(DEFAULT_KEYMAP, "assets/keymap.toml")?
            .iter()
            .chain(user)
        {
            map.insert((b.context, b.action), b.keys.clone());
        }
        let bindings = Context::ALL
            .into_iter()
            .map(|c| {
                let list = c
                    .actions()
                    .iter()
                    .filter_map(|a| map.get(&(c, *a)).map(|k| (*a, k.clone())))
                    .filter(|(_, k)| !k.is_empty())
                    .collect();
                (c, list)
            })
            .collect();
        Ok(Keymap { bindings })
    }

    /// The action a key means in `ctx` (the first binding wins).
    pub fn action(&self, ctx: Context, ev: &KeyEvent) -> Option<Action> {
        self.bindings
            .get(&ctx)?
            .iter()
            .find(|(_, keys)| keys.iter().any(|k| k.matches(ev)))
            .map(|(a, _)| *a)
    }

    /// The keys bound to `action` in `ctx`, as shown to the user.
    pub fn keys(&self, ctx: Context, action: Action) -> Vec<String> {
        self.bindings
            .get(&ctx)
            .and_then(|l| l.iter().find(|(a, _)| *a == action))
            .map(|(_, k)| k.iter().map(Key::to_string).collect())
            .unwrap_or_default()
    }

    /// The first key of `action` in `ctx` (for hints), or "—" when unbound.
    pub fn key(&self, ctx: Context, action: Action) -> String {
        self.keys(ctx, action)
            .into_iter()
            .next()
            .unwrap_or_else(|| "—".into())
    }

    /// Every binding, per context, for the help screen.
    pub fn help(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        Context::ALL
            .into_iter()
            .map(|c| {
                let rows = self
                    .bindings
                    .get(&c)
                    .map(|l| {
                        l.iter()
                            .map(|(a, k)| (key_list(k), a.description()))
                            .collect()
                    })
                    .unwrap_or_default();
                (c, rows)
            })
            .collect()
    }
}

fn key_list(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn builtin_keymap_parses_and_binds_every_context() {
        let k = Keymap::builtin().expect("assets/keymap.toml");
        assert_eq!(
            k.action(Context::Main, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            k.action(
                Context::Main,
                &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            k.action(Context::Main, &ev(KeyCode::Char('N'), KeyModifiers::SHIFT)),
            Some(Action::PrevAttention)
        );
        assert_eq!(
            k.action(Context::Main, &ev(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::NextAttention)
        );
        assert_eq!(
            k.action(Context::Form, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevField)
        );
        assert_eq!(
            k.action(
                Context::Confirm,
                &ev(KeyCode::Char('y'), KeyModifiers::NONE)
            ),
            Some(Action::Confirm)
        );
        assert_eq!(
            k.action(
                Context::Confirm,
                &ev(KeyCode::Char('Y'), KeyModifiers::SHIFT)
            ),
            None
        );
        for c in Context::ALL {
            assert!(
                !k.help()
                    .iter()
                    .find(|(x, _)| *x == c)
                    .expect("context")
                    .1
                    .is_empty(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn every_default_action_has_a_description_and_round_trips() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(!a.description().is_empty());
        }
    }

    #[test]
    fn keys_parse_and_display() {
        for (s, shown) in [
            ("q", "q"),
            ("ctrl-c", "ctrl-c"),
            ("ctrl-C", "ctrl-c"),
            ("backtab", "shift-tab"),
            ("space", "space"),
            ("f5", "f5"),
            ("pagedown", "pgdn"),
            ("?", "?"),
        ] {
            assert_eq!(Key::parse(s).expect(s).to_string(), shown);
        }
        for bad in ["", "ctrl-", "f13", "foo", "\u{1b}"] {
            assert!(Key::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn user_bindings_rebind_and_errors_name_the_action() {
        let quit = binding(Context::Main, "quit", &["x".into()], "[main]").expect("binding");
        let k = Keymap::with_overrides(&[quit]).expect("overrides");
        assert_eq!(
            k.action(Context::Main, &ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            k.action(Context::Main, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        let e = binding(Context::Main, "fly", &["x".into()], "[main]").unwrap_err();
        assert!(
            e.contains("'fly' in [main]") && e.contains("known: "),
            "{e}"
        );
        let e = binding(Context::Form, "submit", &["s".into()], "[form]").unwrap_err();
        assert!(e.contains("types"), "{e}");
        let e = binding(Context::Main, "quit", &["foo".into()], "[main]").unwrap_err();
        assert!(e.contains("'foo' is not a key"), "{e}");
        assert_eq!(context("mian"), None);
        assert_eq!(context("form"), Some(Context::Form));
    }
}
