//! What an edit of a user will store and what the audit trail shows of
//! it, from the request and the stored user alone: the preview
//! (`POST /users/{id}/preview`) and the edit run this same code.

use serde_json::{Value, json};
use shared::audit::FieldChange;
use shared::auth::{Role, User, UserUpdate};

use crate::audit::{self, AuditAction};

pub(super) struct UserPlan {
    pub after: User,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
    /// The edit takes an enabled admin away: it needs another one.
    pub removes_an_admin: bool,
}

pub(super) fn user_update(before: &User, update: &UserUpdate) -> UserPlan {
    let mut after = before.clone();
    if let Some(role) = update.role {
        after.role = role;
    }
    if let Some(disabled) = update.disabled {
        after.disabled = disabled;
    }
    let was_enabled_admin = before.role == Role::Admin && !before.disabled;
    let action = match (before.disabled, after.disabled) {
        (false, true) => AuditAction::UserDisable,
        (true, false) => AuditAction::UserEnable,
        _ => AuditAction::UserUpdate,
    };
    UserPlan {
        removes_an_admin: was_enabled_admin && (after.role != Role::Admin || after.disabled),
        changes: audit::diff(&audit_state(before), &audit_state(&after), &[]),
        action,
        after,
    }
}

/// What the audit trail shows of a user: never the password hash.
pub(super) fn audit_state(user: &User) -> Value {
    json!({
        "username": user.username,
        "role": user.role.as_str(),
        "disabled": user.disabled,
    })
}
