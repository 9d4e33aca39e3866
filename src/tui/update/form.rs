//! The input form: a plan's inputs, typed and validated field by field.

use super::planning::build_plan;
use super::{Effect, flash};
use crate::checks::{self, Fix, ItemDef};
use crate::kit::text::sanitize;
use crate::plan::{Inputs, PlanError};
use crate::tui::keymap::Action;
use crate::tui::model::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const MAX_INPUT: usize = 256;

pub(super) fn open_form(m: &mut Model, def: &'static ItemDef, error: Option<(String, String)>) {
    let text = crate::guide::guide().item(def.id);
    let stored = m.inputs.get(def.id);
    let mut fields: Vec<Field> = def
        .inputs
        .iter()
        .map(|spec| {
            let t = text.and_then(|t| t.inputs.get(spec.name));
            // A secret (an MFA code) is asked for afresh every time.
            let value = stored
                .filter(|_| !spec.kind.is_secret())
                .and_then(|s| s.values.get(spec.name).cloned())
                .or_else(|| spec.default.map(str::to_string))
                .unwrap_or_default();
            let mut f = Field {
                spec: *spec,
                label: t
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| spec.name.to_string()),
                help: t.map(|t| t.help.clone()).unwrap_or_default(),
                value,
                error: None,
                touched: false,
            };
            f.revalidate();
            f
        })
        .collect();
    let mut focus = 0;
    let mut note = None;
    if let Some((name, message)) = error {
        match fields.iter().position(|f| f.spec.name == name) {
            Some(i) => {
                fields[i].error = Some(sanitize(&message));
                fields[i].touched = true;
                focus = i;
            }
            None => note = Some(sanitize(&format!("{name}: {message}"))),
        }
    }
    m.overlay = Some(Overlay::Form(FormState {
        item: def.id.to_string(),
        fields,
        focus,
        note,
    }));
}

pub(super) fn edit_inputs(m: &mut Model) {
    let Some((def, _)) = m.current() else { return };
    if def.inputs.is_empty() {
        flash(m, Level::Info, "this item's change takes no input");
        return;
    }
    open_form(m, def, None);
}

pub(super) fn form_key(m: &mut Model, action: Option<Action>, k: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = &mut m.overlay else {
        return vec![];
    };
    let n = form.fields.len();
    match action {
        Some(Action::NextField | Action::PrevField) if n > 0 => {
            let f = &mut form.fields[form.focus];
            f.touched = true;
            f.revalidate();
            form.focus = if action == Some(Action::NextField) {
                (form.focus + 1) % n
            } else {
                (form.focus + n - 1) % n
            };
        }
        Some(Action::ClearField) if n > 0 => {
            let f = &mut form.fields[form.focus];
            f.value.clear();
            f.touched = true;
            f.revalidate();
        }
        Some(Action::Cancel) => {
            m.overlay = None;
            if m.batch_pending.take().is_some() {
                flash(m, Level::Info, "batch cancelled; nothing was planned");
            } else {
                flash(m, Level::Info, "cancelled; nothing was changed");
            }
        }
        Some(Action::Submit) => {
            form.note = None;
            for f in &mut form.fields {
                f.touched = true;
                f.revalidate();
            }
            // A value typed wrong always stops here; a field left empty only
            // when the plan needs it (`cidr` is not needed to revoke).
            if let Some(i) = form
                .fields
                .iter()
                .position(|f| f.error.is_some() && !f.value.trim().is_empty())
            {
                form.focus = i;
                return vec![];
            }
            let mut inputs = Inputs::default();
            for f in &form.fields {
                if let Ok(v) = f.spec.validate(&f.value) {
                    inputs.values.insert(f.spec.name.to_string(), v);
                }
            }
            if let Some(first) = form.fields.iter().position(|f| f.error.is_some()) {
                let needed = match checks::item(&form.item).map(|d| d.fix) {
                    Some(Fix::Plan(f)) => {
                        let probe = Inputs {
                            resources: m
                                .picked_resource()
                                .map(|r| vec![r.to_string()])
                                .unwrap_or_default(),
                            ..inputs.clone()
                        };
                        match f(&m.inventory, &m.ctx(), &probe) {
                            Err(PlanError::Input { name, .. }) => Some(name),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(name) = needed {
                    let Some(Overlay::Form(form)) = &mut m.overlay else {
                        return vec![];
                    };
                    form.focus = form
                        .fields
                        .iter()
                        .position(|f| f.spec.name == name && f.error.is_some())
                        .unwrap_or(first);
                    return vec![];
                }
            }
            let Some(Overlay::Form(form)) = &mut m.overlay else {
                return vec![];
            };
            let item = form.item.clone();
            m.inputs.insert(item.clone(), inputs);
            m.overlay = None;
            if m.batch_pending.is_some() {
                return super::batch::next_form(m);
            }
            if let Some(def) = checks::item(&item) {
                return build_plan(m, def, false);
            }
        }
        _ if n > 0 => {
            let f = &mut form.fields[form.focus];
            let typed = match k.code {
                KeyCode::Char(c)
                    if !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    if f.value.chars().count() < MAX_INPUT && !c.is_control() {
                        f.value.push(c);
                    }
                    true
                }
                KeyCode::Backspace => {
                    f.value.pop();
                    true
                }
                _ => false,
            };
            if typed {
                f.touched = true;
                f.revalidate();
            }
        }
        _ => {}
    }
    vec![]
}
