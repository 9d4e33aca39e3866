//! The guide's text: sections and items in our own words, loaded from
//! `assets/guide/` (embedded at build time). Code holds no user-facing sentence
//! about a checklist item; it asks this module for one.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Section ids in guide order.
pub const SECTIONS: &[&str] = &[
    "account",
    "s3",
    "ec2",
    "rds",
    "cloudtrail",
    "cloudwatch",
    "ebs",
    "route53",
    "elb",
    "cloudfront",
    "vpc",
    "other",
];

/// The embedded guide files: (prose, messages).
const FILES: &[(&str, &str)] = &[
    (
        include_str!("../assets/guide/account.toml"),
        include_str!("../assets/guide/account.messages.toml"),
    ),
    (
        include_str!("../assets/guide/s3.toml"),
        include_str!("../assets/guide/s3.messages.toml"),
    ),
    (
        include_str!("../assets/guide/cloudfront.toml"),
        include_str!("../assets/guide/cloudfront.messages.toml"),
    ),
    (
        include_str!("../assets/guide/ec2.toml"),
        include_str!("../assets/guide/ec2.messages.toml"),
    ),
    (
        include_str!("../assets/guide/ebs.toml"),
        include_str!("../assets/guide/ebs.messages.toml"),
    ),
    (
        include_str!("../assets/guide/vpc.toml"),
        include_str!("../assets/guide/vpc.messages.toml"),
    ),
    (
        include_str!("../assets/guide/cloudtrail.toml"),
        include_str!("../assets/guide/cloudtrail.messages.toml"),
    ),
    (
        include_str!("../assets/guide/cloudwatch.toml"),
        include_str!("../assets/guide/cloudwatch.messages.toml"),
    ),
    (
        include_str!("../assets/guide/rds.toml"),
        include_str!("../assets/guide/rds.messages.toml"),
    ),
    (
        include_str!("../assets/guide/route53.toml"),
        include_str!("../assets/guide/route53.messages.toml"),
    ),
    (
        include_str!("../assets/guide/elb.toml"),
        include_str!("../assets/guide/elb.messages.toml"),
    ),
    (
        include_str!("../assets/guide/other.toml"),
        include_str!("../assets/guide/other.messages.toml"),
    ),
];

/// Messages about applying and undoing changes, not about one section.
const MESSAGES: &[&str] = &[
    include_str!("../assets/guide/exec.messages.toml"),
    include_str!("../assets/guide/blast.messages.toml"),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputText {
    pub label: String,
    pub help: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    pub id: String,
    pub title: String,
    /// One sentence: what passing means.
    pub summary: String,
    /// Why it matters (a paragraph).
    pub why: String,
    /// What moat's proposed change does, or why there is none.
    pub fix: String,
    /// Step-by-step procedure for guided items (may mention `{account}`).
    #[serde(default)]
    pub steps: Vec<String>,
    /// A warning shown in the confirmation dialog before applying.
    #[serde(default)]
    pub warning: Option<String>,
    /// Labels and help of the inputs the item's plan asks for.
    #[serde(default)]
    pub inputs: BTreeMap<String, InputText>,
}

/// A recommendation of the source guide that moat neither checks nor
/// changes, with the reason and what to do instead: nothing the guide asks
/// for disappears without a word.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    /// A stable id (unit tests make sure every known one is written).
    pub topic: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionText {
    pub id: String,
    pub title: String,
    pub intro: String,
    /// What the guide recommends here that moat leaves to you, and why.
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    #[serde(rename = "item")]
    pub items: Vec<ItemText>,
}

#[derive(Debug, Deserialize)]
struct SectionFile {
    section: SectionHeader,
    #[serde(rename = "item", default)]
    items: Vec<ItemText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionHeader {
    id: String,
    title: String,
    intro: String,
    #[serde(default)]
    left_out: Vec<LeftOut>,
}

pub struct Guide {
    pub sections: Vec<SectionText>,
    /// item id → message key → template with `{name}` placeholders.
    messages: BTreeMap<String, BTreeMap<String, String>>,
}

/// Adds one messages file's tables to `into`. A table already defined by
/// another file is refused: merging would silently replace its messages.
fn add_messages(
    into: &mut BTreeMap<String, BTreeMap<String, String>>,
    text: &str,
) -> Result<(), String> {
    let m: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(text).map_err(|e| format!("assets/guide messages: {e}"))?;
    for (table, msgs) in m {
        if into.contains_key(&table) {
            return Err(format!(
                "assets/guide messages: table [{table}] is defined in two files"
            ));
        }
        into.insert(table, msgs);
    }
    Ok(())
}

fn load() -> Result<Guide, String> {
    let mut sections = Vec::new();
    let mut messages = BTreeMap::new();
    for (prose, msgs) in FILES {
        let f: SectionFile = toml::from_str(prose).map_err(|e| format!("assets/guide: {e}"))?;
        sections.push(SectionText {
            id: f.section.id,
            title: f.section.title,
            intro: f.section.intro,
            left_out: f.section.left_out,
            items: f.items,
        });
        add_messages(&mut messages, msgs)?;
    }
    for msgs in MESSAGES {
        add_messages(&mut messages, msgs)?;
    }
    // Guide order, whatever the order of the files above.
    sections.sort_by_key(|s| {
        SECTIONS
            .iter()
            .position(|id| *id == s.id)
            .unwrap_or(usize::MAX)
    });
    Ok(Guide { sections, messages })
}

/// The guide. The assets are embedded and checked by unit tests, so a parse
/// failure is a build defect; it still degrades to an empty guide, not a panic.
pub fn guide() -> &'static Guide {
    static G: OnceLock<Guide> = OnceLock::new();
    G.get_or_init(|| {
        load().unwrap_or_else(|e| {
            tracing::error!("{e}");
            Guide {
                sections: vec![],
                messages: BTreeMap::new(),
            }
        })
    })
}

impl Guide {
    pub fn section(&self, id: &str) -> Option<&SectionText> {
        self.sections.iter().find(|s| s.id == id)
    }
    pub fn item(&self, id: &str) -> Option<&ItemText> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == id)
    }
    pub fn title(&self, id: &str) -> String {
        self.item(id)
            .map(|i| i.title.clone())
            .unwrap_or_else(|| id.to_string())
    }
    pub fn template(&self, item: &str, key: &str) -> Option<&str> {
        self.messages.get(item)?.get(key).map(String::as_str)
    }
    pub fn message_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.messages
            .iter()
            .flat_map(|(i, m)| m.keys().map(move |k| (i.as_str(), k.as_str())))
    }
}

/// Fill `{name}` placeholders.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A user-facing sentence about an item, from `assets/guide/<section>.messages.toml`.
pub fn msg(item: &str, key: &str, args: &[(&str, &str)]) -> String {
    match guide().template(item, key) {
        Some(t) => fill(t, args),
        None => {
            tracing::warn!("missing guide message {item}.{key}");
            format!("{item}: {key}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_messages_table_defined_twice_is_refused() {
        let mut m = BTreeMap::new();
        add_messages(&mut m, "[plan]\nnothing = \"a\"\n").expect("first");
        let e = add_messages(&mut m, "[plan]\nother = \"b\"\n").expect_err("second");
        assert!(e.contains("[plan]"), "{e}");
        assert_eq!(m["plan"]["nothing"], "a");
    }

    #[test]
    fn guide_assets_parse() {
        load().expect("assets/guide parses");
    }

    /// The source guide's recommendations that no item checks: each must
    /// be explained in its section (issue: nothing silently disappears).
    #[test]
    fn recommendations_left_out_are_explained() {
        let g = load().expect("assets/guide parses");
        for (section, topic) in [
            ("cloudtrail", "cloudtrail-api-mfa"),
            ("s3", "s3-mfa-conditions"),
            ("s3", "s3-cross-account"),
            ("ec2", "ec2-own-amis"),
            ("ec2", "ec2-minimum-ports"),
            ("rds", "rds-extra-sources"),
            ("rds", "rds-application-encryption"),
        ] {
            let sec = g.section(section).expect("section");
            let Some(l) = sec.left_out.iter().find(|l| l.topic == topic) else {
                panic!("{section}: no left_out entry {topic}");
            };
            assert!(l.text.len() > 200, "{topic}: say why and what to do");
            assert!(!l.title.is_empty());
        }
        let mut topics: Vec<&str> = g
            .sections
            .iter()
            .flat_map(|s| s.left_out.iter().map(|l| l.topic.as_str()))
            .collect();
        let n = topics.len();
        topics.sort_unstable();
        topics.dedup();
        assert_eq!(topics.len(), n, "left_out topics are unique");
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            fill("{user} has {n} keys", &[("user", "bob"), ("n", "2")]),
            "bob has 2 keys"
        );
    }
}
