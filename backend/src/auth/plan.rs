//! What a change of a user will store and what the audit trail shows of
//! it, from the request and the stored user alone: the preview
//! (`POST /users/{id}/preview`) and the edit run this same code.

use secrecy::SecretString;
use serde_json::{Value, json};
use shared::audit::{FieldChange, SecretChange};
use shared::auth::{Role, User, UserUpdate, check_new_password, check_username};
use shared::validate::InvalidField;

use super::UserError;
use crate::audit::{self, AuditAction, Target, TargetKind};

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

/// The audit target of a user.
pub(super) fn target(id: &str, username: &str) -> Target {
    Target::new(TargetKind::User, id, username)
}

/// A new user's name, as the `username` field.
pub(super) fn checked_username(username: &str) -> Result<(), UserError> {
    check_username(username).map_err(|e| {
        UserError::Invalid(InvalidField {
            field: "username".into(),
            ..e
        })
    })
}

/// A new password, long enough, as the field `field`.
pub(super) fn checked_password(
    field: &'static str,
    password: &str,
) -> Result<SecretString, UserError> {
    check_new_password(password).map_err(|e| {
        UserError::Invalid(InvalidField {
            field: field.into(),
            ..e
        })
    })?;
    Ok(SecretString::from(password.to_owned()))
}

/// A new user's diff: everything is new.
pub(super) fn user_create(user: &User) -> Vec<FieldChange> {
    audit::diff(&Value::Null, &audit_state(user), &[])
}

/// A password change's diff: changed, never shown.
pub(super) fn password_change() -> Vec<FieldChange> {
    vec![FieldChange {
        field: "password".into(),
        before: None,
        after: None,
        secret: Some(SecretChange::Changed),
    }]
}
