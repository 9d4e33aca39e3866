//! What the blast radius's unit tests share: an inventory from parts in
//! their saved form, and the notes of ops on it.

use super::{Note, radius};
use crate::aws::inventory::Inventory;
use crate::plan::Op;
use serde_json::{Value, json};

pub const R: &str = "us-east-1";

/// The account, with the given parts in their saved (demo) form.
pub fn inventory(parts: Value) -> Inventory {
    // Every other part as a default inventory has it (loading).
    let mut v = serde_json::to_value(Inventory::default()).expect("default");
    let identity = json!({
        "identity": {"state": "ready", "value": {
            "account": "111122223333",
            "arn": "arn:aws:iam::111122223333:user/ops",
            "user_id": "AIDA"
        }}
    });
    if let (Value::Object(m), Value::Object(i), Value::Object(p)) = (&mut v, identity, parts) {
        m.extend(i);
        m.extend(p);
    }
    serde_json::from_value(v).expect("inventory")
}

pub fn ready(value: Value) -> Value {
    json!({"state": "ready", "value": value})
}

pub fn regional(value: Value) -> Value {
    ready(json!({"regions": {R: ready(value)}}))
}

/// The notes of `ops` on `inv`, with the ops applied for "after".
pub fn notes(inv: &Inventory, ops: &[Op]) -> Vec<Note> {
    let mut after = inv.clone();
    for op in ops {
        after.apply(op).expect("applies");
    }
    radius(inv, &after, ops)
}

pub fn one(inv: &Inventory, ops: &[Op]) -> Note {
    let n = notes(inv, ops);
    assert_eq!(n.len(), 1, "{n:?}");
    n.into_iter().next().expect("one note")
}

pub fn some(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}
