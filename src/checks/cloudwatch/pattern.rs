//! CloudWatch Logs JSON filter patterns (`{ ($.eventName = X) || … }`),
//! read for their meaning: which events a metric filter catches.
//!
//! A CIS monitoring control is a set of events, written as a pattern; a
//! filter created by another tool catches the same events with a different
//! spelling (spacing, quotes, the order of `||` terms, extra parentheses,
//! a narrowing `$.eventSource` that every such event has). The control's
//! pattern is expanded into alternatives, each a conjunction of conditions
//! (`Conjunct`); a filter catches an alternative when, knowing only those
//! conditions hold, the filter's pattern is sure to match.
//!
//! AWS does not document how `&&` and `||` group without parentheses, so
//! a filter counts only when it matches under both readings (`&&` binding
//! tighter, and left to right).

/// A comparison in a JSON filter pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Exists,
    NotExists,
    IsNull,
    IsTrue,
    IsFalse,
}

/// One condition on one field: `$.eventName = "CreateTrail"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    pub selector: String,
    pub op: Op,
    /// The value without its quotes (empty for the operators without one).
    pub value: String,
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Exists => return write!(f, "{} EXISTS", self.selector),
            Op::NotExists => return write!(f, "{} NOT EXISTS", self.selector),
            Op::IsNull => return write!(f, "{} IS NULL", self.selector),
            Op::IsTrue => return write!(f, "{} IS TRUE", self.selector),
            Op::IsFalse => return write!(f, "{} IS FALSE", self.selector),
        };
        write!(f, "{} {op} {}", self.selector, self.value)
    }
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Cond(Cond),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A parsed filter pattern, in both readings of unparenthesised `&&`/`||`
/// mixes (equal when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    precedence: Expr,
    left_to_right: Expr,
}

/// Conditions that hold together.
pub type Conjunct = Vec<Cond>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    And,
    Or,
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

/// Both readings of one parenthesis level.
type Both = (Expr, Expr);

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }

    fn eat(&mut self, t: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(t) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }

    /// A keyword, followed by a boundary (space, `)`, `&`, `|`, `}` or the end).
    fn eat_word(&mut self, w: &str) -> bool {
        self.skip_ws();
        let r = self.rest();
        let Some(head) = r.get(..w.len()) else {
            return false;
        };
        let boundary = r[w.len()..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || ")&|}".contains(c));
        if head.eq_ignore_ascii_case(w) && boundary {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Both> {
        let mut terms = vec![self.term()?];
        let mut joins = vec![];
        loop {
            if self.eat("&&") {
                joins.push(Join::And);
            } else if self.eat("||") {
                joins.push(Join::Or);
            } else {
                break;
            }
            terms.push(self.term()?);
        }
        Some(combine(terms, &joins))
    }

    fn term(&mut self) -> Option<Both> {
        if self.eat("(") {
            let e = self.expr()?;
            return self.eat(")").then_some(e);
        }
        let c = Expr::Cond(self.cond()?);
        Some((c.clone(), c))
    }

    fn cond(&mut self) -> Option<Cond> {
        self.skip_ws();
        let r = self.rest();
        if !r.starts_with('$') {
            return None;
        }
        let end = r
            .find(|c: char| c.is_whitespace() || "=!<>)&|}".contains(c))
            .unwrap_or(r.len());
        let selector = r[..end].to_string();
        self.pos += end;
        let cond = |op, value: String| {
            Some(Cond {
                selector: selector.clone(),
                op,
                value,
            })
        };
        if self.eat_word("NOT") {
            return if self.eat_word("EXISTS") {
                cond(Op::NotExists, String::new())
            } else {
                None
            };
        }
        if self.eat_word("EXISTS") {
            return cond(Op::Exists, String::new());
        }
        if self.eat_word("IS") {
            for (w, op) in [
                ("NULL", Op::IsNull),
                ("TRUE", Op::IsTrue),
                ("FALSE", Op::IsFalse),
            ] {
                if self.eat_word(w) {
                    return cond(op, String::new());
                }
            }
            return None;
        }
        let op = [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(t, _)| self.eat(t))
        .map(|(_, op)| op)?;
        let value = self.value()?;
        cond(op, value)
    }

    fn value(&mut self) -> Option<String> {
        self.skip_ws();
        let r = self.rest();
        if let Some(q) = r.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += 1 + i + 1;
                        return Some(out);
                    }
                    '\\' => out.push(chars.next()?.1),
                    c => out.push(c),
                }
            }
            return None;
        }
        // Unquoted: up to the next `)`, `&&`, `||` or `}`.
        let end = [")", "&&", "||", "}"]
            .iter()
            .filter_map(|t| r.find(t))
            .min()
            .unwrap_or(r.len());
        let v = r[..end].trim();
        self.pos += end;
        (!v.is_empty()).then(|| v.to_string())
    }
}

/// One level's terms joined by `joins`: `&&` binding tighter, and left to right.
fn combine(terms: Vec<Both>, joins: &[Join]) -> Both {
    let (prec, ltr): (Vec<Expr>, Vec<Expr>) = terms.into_iter().unzip();
    // && binds tighter: runs of && inside one ||.
    let mut ors: Vec<Expr> = vec![];
    let mut run: Vec<Expr> = vec![];
    for (i, t) in prec.into_iter().enumerate() {
        if i > 0 && joins[i - 1] == Join::Or {
            ors.push(and(std::mem::take(&mut run)));
        }
        run.push(t);
    }
    ors.push(and(run));
    let precedence = or(ors);
    // Left to right.
    let mut it = ltr.into_iter();
    let mut acc = it.next().unwrap_or(Expr::And(vec![]));
    for (t, j) in it.zip(joins) {
        acc = match j {
            Join::And => and(vec![acc, t]),
            Join::Or => or(vec![acc, t]),
        };
    }
    (precedence, acc)
}

fn and(mut v: Vec<Expr>) -> Expr {
    if v.len() == 1 {
        return v.remove(0);
    }
    Expr::And(v)
}

fn or(mut v: Vec<Expr>) -> Expr {
    if v.len() == 1 {
        return v.remove(0);
    }
    Expr::Or(v)
}

impl Pattern {
    /// Parse a JSON filter pattern; `None` for anything else (a text
    /// pattern, a space-delimited one, or one this parser cannot read).
    pub fn parse(s: &str) -> Option<Pattern> {
        let mut p = Parser { s, pos: 0 };
        if !p.eat("{") {
            return None;
        }
        let (precedence, left_to_right) = p.expr()?;
        if !p.eat("}") {
            return None;
        }
        p.skip_ws();
        p.rest().is_empty().then_some(Pattern {
            precedence,
            left_to_right,
        })
    }

    /// The alternatives the pattern matches (`&&` binding tighter). Meant
    /// for the controls' own patterns, written with full parentheses.
    pub fn alternatives(&self) -> Vec<Conjunct> {
        dnf(&self.precedence)
    }

    /// Whether every event with all the conditions of `known` matches the
    /// pattern, in both readings.
    pub fn catches(&self, known: &[Cond]) -> bool {
        eval(&self.precedence, known) == Some(true)
            && eval(&self.left_to_right, known) == Some(true)
    }
}

fn dnf(e: &Expr) -> Vec<Conjunct> {
    match e {
        Expr::Cond(c) => vec![vec![c.clone()]],
        Expr::Or(v) => v.iter().flat_map(dnf).collect(),
        Expr::And(v) => v.iter().fold(vec![vec![]], |acc, x| {
            let right = dnf(x);
            acc.iter()
                .flat_map(|l| {
                    right.iter().map(move |r| {
                        let mut c = l.clone();
                        c.extend(r.iter().cloned());
                        c
                    })
                })
                .collect()
        }),
    }
}

/// Three-valued: `Some(true)` sure to match, `Some(false)` sure not to,
/// `None` cannot tell from `known`.
fn eval(e: &Expr, known: &[Cond]) -> Option<bool> {
    match e {
        Expr::Cond(c) => implied(known, c),
        Expr::And(v) => {
            let r: Vec<Option<bool>> = v.iter().map(|x| eval(x, known)).collect();
            if r.contains(&Some(false)) {
                Some(false)
            } else if r.iter().all(|x| *x == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        Expr::Or(v) => {
            let r: Vec<Option<bool>> = v.iter().map(|x| eval(x, known)).collect();
            if r.contains(&Some(true)) {
                Some(true)
            } else if r.iter().all(|x| *x == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
    }
}

fn has_wildcard(v: &str) -> bool {
    v.contains('*')
}

/// `*` stands for any run of characters (CloudWatch Logs wildcards).
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// What `known` (conditions that hold) says about `c`.
fn implied(known: &[Cond], c: &Cond) -> Option<bool> {
    let same = known.iter().filter(|k| k.selector == c.selector);
    for k in same {
        if k.op == c.op && k.value == c.value {
            return Some(true);
        }
        match (k.op, c.op) {
            // The field has a known literal value.
            (Op::Eq, Op::Eq) if !has_wildcard(&k.value) => return Some(glob(&c.value, &k.value)),
            (Op::Eq, Op::Ne) if !has_wildcard(&k.value) => return Some(!glob(&c.value, &k.value)),
            // A wildcard alone matches any value the field has.
            (Op::Eq, Op::Eq) if c.value == "*" => return Some(true),
            (Op::Eq, Op::NotExists) | (Op::NotExists, Op::Eq) => return Some(false),
            (Op::NotExists, Op::Exists) | (Op::Exists, Op::NotExists) => return Some(false),
            (Op::Eq, Op::Exists) => return Some(true),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap_or_else(|| panic!("parse {s}"))
    }

    fn eq(sel: &str, v: &str) -> Cond {
        Cond {
            selector: sel.into(),
            op: Op::Eq,
            value: v.into(),
        }
    }

    #[test]
    fn spellings_parse_to_the_same_conditions() {
        let a = p(
            r#"{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }"#,
        );
        let b = p(r#"{$.eventName=ConsoleLogin&&$.errorMessage="Failed authentication"}"#);
        let c = p("{ ($.errorMessage = Failed authentication) && ($.eventName = ConsoleLogin) }");
        for x in [&a, &b, &c] {
            assert!(x.catches(&[
                eq("$.eventName", "ConsoleLogin"),
                eq("$.errorMessage", "Failed authentication")
            ]));
            assert!(!x.catches(&[eq("$.eventName", "ConsoleLogin")]));
        }
        assert_eq!(a.alternatives(), b.alternatives());
    }

    #[test]
    fn not_exists_is_null_and_escapes() {
        let x = p(r#"{ $.a NOT EXISTS && $.b IS NULL && $.c = "q\"uote" }"#);
        let alts = x.alternatives();
        assert_eq!(alts.len(), 1);
        assert_eq!(alts[0][0].op, Op::NotExists);
        assert_eq!(alts[0][1].op, Op::IsNull);
        assert_eq!(alts[0][2].value, "q\"uote");
        for bad in [
            "",
            "{",
            "{ }",
            "{ $.a = }",
            "ERROR",
            "{ $.a = 1 } x",
            "{ ($.a = 1 }",
        ] {
            assert!(Pattern::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn wildcards() {
        assert!(glob(
            "*UnauthorizedOperation",
            "Client.UnauthorizedOperation"
        ));
        assert!(glob("AccessDenied*", "AccessDenied"));
        assert!(glob("A*c*e", "Abcde"));
        assert!(!glob("AccessDenied*", "Denied"));
        let x = p("{ $.eventName = Create* }");
        assert!(x.catches(&[eq("$.eventName", "CreateTrail")]));
        assert!(!x.catches(&[eq("$.eventName", "DeleteTrail")]));
    }

    #[test]
    fn unparenthesised_mixes_must_match_either_way() {
        // (a || b) && c, or a || (b && c): with only `a` known, only the
        // second reading is sure to match.
        let x = p("{ $.x = a || $.x = b && $.y = c }");
        assert!(!x.catches(&[eq("$.x", "a")]));
        assert!(x.catches(&[eq("$.x", "b"), eq("$.y", "c")]));
    }
}
