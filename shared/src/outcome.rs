//! What happened to each item of a bulk action: one wire type for every
//! area, so the console has one per-item outcome list.

use serde::{Deserialize, Serialize};

use crate::api::ErrorBody;

/// One item a bulk action was asked about: every item asked about gets
/// one, whatever happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
pub struct ItemOutcome {
    /// The item's id as the area names it (a user id, a robot id).
    pub id: String,
    /// Its display name, when known.
    pub name: Option<String>,
    pub status: ItemStatus,
}

/// What happened to the item: a failure always carries its error, a
/// success never does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemStatus {
    /// Changed upstream; `request_id` is the upstream call's.
    Done { request_id: Option<String> },
    /// Already so (a member already in the group, a robot already enabled):
    /// nothing was sent.
    Unchanged,
    /// Not changed: the same error body as any API error (code, problem,
    /// message, upstream request_id).
    Failed { error: ErrorBody },
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusWord {
    Done,
    Unchanged,
    Failed,
}

/// `ItemOutcome` on the wire, one flat object (`status` beside `id`).
/// A plain struct rather than `flatten` and an internally tagged enum:
/// those decode through serde's buffering `Content`, which put a second
/// copy of every error decoder into the console's wasm.
#[derive(Serialize, Deserialize)]
struct Wire {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    status: StatusWord,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody>,
}

impl TryFrom<Wire> for ItemOutcome {
    type Error = &'static str;

    fn try_from(w: Wire) -> Result<Self, Self::Error> {
        let status = match (w.status, w.error) {
            (StatusWord::Failed, Some(error)) => ItemStatus::Failed { error },
            (StatusWord::Failed, None) => return Err("a failed item carries its error"),
            (_, Some(_)) => return Err("only a failed item carries an error"),
            (StatusWord::Done, None) => ItemStatus::Done {
                request_id: w.request_id,
            },
            (StatusWord::Unchanged, None) => ItemStatus::Unchanged,
        };
        Ok(ItemOutcome {
            id: w.id,
            name: w.name,
            status,
        })
    }
}

impl From<ItemOutcome> for Wire {
    fn from(o: ItemOutcome) -> Wire {
        let (status, request_id, error) = match o.status {
            ItemStatus::Done { request_id } => (StatusWord::Done, request_id, None),
            ItemStatus::Unchanged => (StatusWord::Unchanged, None, None),
            ItemStatus::Failed { error } => (StatusWord::Failed, None, Some(error)),
        };
        Wire {
            id: o.id,
            name: o.name,
            status,
            request_id,
            error,
        }
    }
}

impl ItemOutcome {
    pub fn done(id: impl Into<String>, name: Option<String>, request_id: Option<String>) -> Self {
        ItemOutcome {
            id: id.into(),
            name,
            status: ItemStatus::Done { request_id },
        }
    }

    pub fn unchanged(id: impl Into<String>, name: Option<String>) -> Self {
        ItemOutcome {
            id: id.into(),
            name,
            status: ItemStatus::Unchanged,
        }
    }

    pub fn failed(id: impl Into<String>, name: Option<String>, error: ErrorBody) -> Self {
        ItemOutcome {
            id: id.into(),
            name,
            status: ItemStatus::Failed { error },
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self.status, ItemStatus::Done { .. })
    }

    pub fn error(&self) -> Option<&ErrorBody> {
        match &self.status {
            ItemStatus::Failed { error } => Some(error),
            _ => None,
        }
    }
}

/// How many of `items` failed.
pub fn failed(items: &[ItemOutcome]) -> usize {
    items.iter().filter(|i| i.error().is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_status_has_its_wire_form() {
        let error = ErrorBody {
            code: "upstream_rejected".into(),
            message: "no such user".into(),
            field: None,
            problem: None,
            request_id: Some("r-2".into()),
            trace_id: None,
        };
        let items = vec![
            ItemOutcome::done("u1", Some("林洋".into()), Some("r-1".into())),
            ItemOutcome::unchanged("u2", None),
            ItemOutcome::failed("u3", Some("Ann".into()), error.clone()),
        ];
        let wire = serde_json::to_value(&items).unwrap();
        assert_eq!(
            wire,
            json!([
                {"id": "u1", "name": "林洋", "status": "done", "request_id": "r-1"},
                {"id": "u2", "status": "unchanged"},
                {"id": "u3", "name": "Ann", "status": "failed", "error": {
                    "code": "upstream_rejected", "message": "no such user", "request_id": "r-2"
                }}
            ])
        );
        let back: Vec<ItemOutcome> = serde_json::from_value(wire).unwrap();
        assert_eq!(back, items);
        assert_eq!(failed(&items), 1);
        assert_eq!(items[2].error(), Some(&error));
        // A failure without its error does not parse.
        let bare = json!({"id": "u4", "status": "failed"});
        assert!(serde_json::from_value::<ItemOutcome>(bare).is_err());
        // Nor does a success that carries one.
        let odd = json!({"id": "u5", "status": "done", "error": {"code": "x", "message": ""}});
        assert!(serde_json::from_value::<ItemOutcome>(odd).is_err());
    }
}
