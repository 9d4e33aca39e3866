//! `moat guide [SECTION]`: the guide as text, offline.

use super::{CliResult, GuideArgs, resolve_section};
use crate::checks;
use crate::guide::guide;

pub fn run(a: &GuideArgs) -> CliResult {
    let sections: Vec<&str> = match &a.section {
        Some(s) => vec![resolve_section(s)?],
        None => checks::sections(),
    };
    let mut out = String::new();
    for sid in sections {
        let Some(sec) = guide().section(sid) else {
            continue;
        };
        out.push_str(&format!(
            "# {} ({})\n\n{}\n\n",
            sec.title,
            sec.id,
            sec.intro.trim()
        ));
        for def in checks::items().iter().filter(|i| i.section == sid) {
            let Some(t) = guide().item(def.id) else {
                continue;
            };
            out.push_str(&format!("## {} — {}\n\n", def.id, t.title));
            out.push_str(&format!("{}\n\n{}\n\n", t.summary.trim(), t.why.trim()));
            let kind = match def.fix {
                checks::Fix::None => "Check only.",
                checks::Fix::Guided => "Guided:",
                checks::Fix::Plan(_) => "Fix: `moat plan` previews it, `moat apply` makes it.",
            };
            out.push_str(&format!("{kind} {}\n", t.fix.trim()));
            if !def.cis.is_empty() {
                out.push_str(&format!(
                    "CIS AWS Foundations v6.0.0: {}\n",
                    def.cis.join(", ")
                ));
            }
            for spec in def.inputs {
                let label = t.inputs.get(spec.name);
                let default = spec
                    .default
                    .map(|d| format!(" (default: {d})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  --input {}=…  {}{}{}\n",
                    spec.name,
                    label.map(|l| l.label.as_str()).unwrap_or(""),
                    label.map(|l| format!(": {}", l.help)).unwrap_or_default(),
                    default
                ));
            }
            if !t.steps.is_empty() {
                out.push_str("Steps:\n");
                for (n, step) in t.steps.iter().enumerate() {
                    out.push_str(&format!(
                        "  {}. {}\n",
                        n + 1,
                        step.replace("{account}", "<account id>")
                    ));
                }
            }
            out.push('\n');
        }
        if !sec.left_out.is_empty() {
            out.push_str("## Not checked by moat\n\n");
            for l in &sec.left_out {
                out.push_str(&format!("### {}\n\n{}\n\n", l.title, l.text.trim()));
            }
        }
    }
    print!("{out}");
    Ok(0)
}
