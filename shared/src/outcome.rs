//! What happened to each item of a bulk action: one wire type for every
//! area, so the console has one per-item outcome list.

use serde::{Deserialize, Serialize};

use crate::api::ErrorBody;

/// One item a bulk action was asked about: every item asked about gets
/// one, whatever happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// The item's id as the area names it (a user id, a robot id).
    pub id: String,
    /// Its display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub status: ItemStatus,
}

/// `status` on the wire, with what goes with it: a failure always carries
/// its error, a success never does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemStatus {
    /// Changed upstream; `request_id` is the upstream call's.
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// Already so (a member already in the group, a robot already enabled):
    /// nothing was sent.
    Unchanged,
    /// Not changed: the same error body as any API error (code, problem,
    /// message, upstream request_id).
    Failed { error: ErrorBody },
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
    }
}
