//! Before/after diffs of JSON values with secrets masked.

use std::collections::BTreeMap;

use serde_json::Value;
use shared::audit::{FieldChange, SecretChange};

/// Field names containing any of these (case-insensitive) are secret.
const SECRET_WORDS: [&str; 4] = ["secret", "token", "key", "password"];

/// The fields that differ between `before` and `after` (objects, flattened
/// to dotted paths, array items by index; `Value::Null` stands for "did not
/// exist"). A field whose name matches a secret word or is listed in
/// `secret_fields` (by name or full path) never shows its value: it is
/// reported as changed or unchanged whenever it is present on either side.
pub fn diff(before: &Value, after: &Value, secret_fields: &[&str]) -> Vec<FieldChange> {
    let mut old = BTreeMap::new();
    let mut new = BTreeMap::new();
    flatten("", before, secret_fields, &mut old);
    flatten("", after, secret_fields, &mut new);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort_unstable();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let (b, a) = (old.get(field), new.get(field));
            let secret = b.or(a).is_some_and(|leaf| leaf.secret);
            let (bv, av) = (b.map(|l| l.value), a.map(|l| l.value));
            if secret {
                let change = if bv == av {
                    SecretChange::Unchanged
                } else {
                    SecretChange::Changed
                };
                return Some(FieldChange {
                    field: field.clone(),
                    before: None,
                    after: None,
                    secret: Some(change),
                });
            }
            (bv != av).then(|| FieldChange {
                field: field.clone(),
                before: bv.map(Value::to_string),
                after: av.map(Value::to_string),
                secret: None,
            })
        })
        .collect()
}

struct Leaf<'a> {
    value: &'a Value,
    secret: bool,
}

/// Whether a field called `name` at `path` holds a secret.
pub fn is_secret_field(name: &str, path: &str, secret_fields: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        || secret_fields.iter().any(|s| *s == name || *s == path)
}

fn flatten<'a>(
    prefix: &str,
    value: &'a Value,
    secret_fields: &[&str],
    out: &mut BTreeMap<String, Leaf<'a>>,
) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let mut child = |key: String, name: &str, v: &'a Value| {
        // A secret subtree is one opaque leaf: nothing inside it shows.
        if is_secret_field(name, &key, secret_fields) {
            out.insert(
                key,
                Leaf {
                    value: v,
                    secret: true,
                },
            );
        } else {
            flatten(&key, v, secret_fields, out);
        }
    };
    match value {
        Value::Null if prefix.is_empty() => {}
        Value::Object(map) => map.iter().for_each(|(k, v)| child(join(k), k, v)),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| child(join(&i.to_string()), "", v)),
        _ => {
            let key = if prefix.is_empty() { "value" } else { prefix };
            out.insert(
                key.to_owned(),
                Leaf {
                    value,
                    secret: false,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
            secret: None,
        }
    }

    fn secret(field: &str, c: SecretChange) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: None,
            after: None,
            secret: Some(c),
        }
    }

    #[test]
    fn reports_changed_added_and_removed_fields_only() {
        let before = json!({"name": "ops", "regions": ["cn-hangzhou"], "old": 1, "same": true});
        let after = json!({"name": "ops-2", "regions": ["cn-hangzhou", "cn-beijing"], "new": {"x": null}, "same": true});
        assert_eq!(
            diff(&before, &after, &[]),
            vec![
                change("name", Some("\"ops\""), Some("\"ops-2\"")),
                change("new.x", None, Some("null")),
                change("old", Some("1"), None),
                change("regions.1", None, Some("\"cn-beijing\"")),
            ]
        );
    }

    #[test]
    fn creation_and_deletion_diff_against_null() {
        let v = json!({"name": "ops"});
        assert_eq!(
            diff(&Value::Null, &v, &[]),
            vec![change("name", None, Some("\"ops\""))]
        );
        assert_eq!(
            diff(&v, &Value::Null, &[]),
            vec![change("name", Some("\"ops\""), None)]
        );
    }

    #[test]
    fn secrets_show_only_whether_they_changed() {
        let before = json!({
            "app_secret": "S3CRET-OLD", "webhook": {"AccessToken": "TOK-1", "url": "u"},
            "password_hash": "HASH", "sign": "SIGN-1", "name": "n",
            "list": [{"api_key": "K-1"}], "vault": {"blob": "BLOB"}
        });
        let after = json!({
            "app_secret": "S3CRET-NEW", "webhook": {"AccessToken": "TOK-1", "url": "u"},
            "password_hash": "HASH", "sign": "SIGN-2", "name": "n",
            "list": [{"api_key": "K-2"}], "vault": {"blob": "BLOB-2"}
        });
        let changes = diff(&before, &after, &["sign", "vault.blob"]);
        assert_eq!(
            changes,
            vec![
                secret("app_secret", SecretChange::Changed),
                secret("list.0.api_key", SecretChange::Changed),
                secret("password_hash", SecretChange::Unchanged),
                secret("sign", SecretChange::Changed),
                secret("vault.blob", SecretChange::Changed),
                secret("webhook.AccessToken", SecretChange::Unchanged),
            ]
        );
        let text = serde_json::to_string(&changes).unwrap();
        for value in ["S3CRET", "TOK-1", "HASH", "SIGN-", "K-1", "K-2", "BLOB"] {
            assert!(!text.contains(value), "{value} leaked: {text}");
        }
    }

    #[test]
    fn a_secret_object_is_masked_as_a_whole() {
        let before = json!({"credentials": {"secret": {"id": "a", "value": "V1"}}});
        let after = json!({"credentials": {"secret": {"id": "a", "value": "V2"}}});
        assert_eq!(
            diff(&before, &after, &[]),
            vec![secret("credentials.secret", SecretChange::Changed)]
        );
    }
}
