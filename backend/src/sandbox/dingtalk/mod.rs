//! DingTalk: access tokens, app permissions, the legacy (`oapi`) and new
//! (`api`) group APIs over one group state, and the directory.

pub mod directory;
pub mod groups;
mod legacy;
mod new;
pub mod token;

use std::sync::Arc;

use axum::Router;
use serde_json::Value;

use super::{DingTalkApp, Shared};
use crate::upstream::signing::signatures_match;
use groups::{GroupError, GroupResult, SETTING_NAMES, SettingsPatch};
use token::TokenError;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    legacy::routes().merge(new::routes())
}

/// Why a DingTalk call was refused before it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AuthError {
    MissingToken,
    Token(TokenError),
    Permission(&'static str),
}

impl Shared {
    /// The app whose credentials these are.
    fn app_by_credentials(&self, key: &str, secret: &str) -> Option<&DingTalkApp> {
        self.config
            .dingtalk_apps
            .iter()
            .find(|a| a.app_key == key && signatures_match(&a.app_secret, secret))
    }

    /// Issues (or returns and extends) the app's token.
    fn issue_token(&self, app_key: &str) -> String {
        let now = self.config.clock.now();
        self.with_world(|w| w.tokens.fetch(app_key, now))
    }

    /// Checks the token and that its app holds `permission`.
    fn authorize(&self, token: Option<&str>, permission: &'static str) -> Result<(), AuthError> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::MissingToken)?;
        let now = self.config.clock.now();
        let app_key = self
            .with_world(|w| w.tokens.check(token, now).map(str::to_owned))
            .map_err(AuthError::Token)?;
        let allowed = self
            .config
            .dingtalk_apps
            .iter()
            .any(|a| a.app_key == app_key && a.permissions.iter().any(|p| p == permission));
        if allowed {
            Ok(())
        } else {
            Err(AuthError::Permission(permission))
        }
    }
}

/// Typed reads of a JSON request body (or of query parameters turned into
/// one), tolerant the way DingTalk is: numbers may come as strings.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a>(pub &'a Value);

impl Fields<'_> {
    pub fn str(&self, name: &'static str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn required(&self, name: &'static str) -> GroupResult<String> {
        self.str(name).ok_or(GroupError::Missing(name))
    }

    pub fn int(&self, name: &'static str) -> GroupResult<Option<i64>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| GroupError::Invalid(name, "must be an integer".into())),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| GroupError::Invalid(name, "must be an integer".into())),
            Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
            Some(_) => Err(GroupError::Invalid(name, "must be an integer".into())),
        }
    }

    pub fn bool(&self, name: &'static str) -> GroupResult<Option<bool>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" || s == "1" => Ok(Some(true)),
            Some(Value::String(s)) if s == "false" || s == "0" => Ok(Some(false)),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(_) => Err(GroupError::Invalid(name, "must be true or false".into())),
        }
    }

    /// A JSON array of ids, or one comma-separated string.
    pub fn list(&self, name: &'static str) -> GroupResult<Vec<String>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(GroupError::Invalid(name, "must list user ids".into())),
                })
                .collect(),
            Some(_) => Err(GroupError::Invalid(name, "must list user ids".into())),
        }
    }

    /// The six switches, read from this object.
    pub fn settings(&self) -> GroupResult<SettingsPatch> {
        let mut patch = SettingsPatch::default();
        for (slot, name) in patch.iter_mut().zip(SETTING_NAMES) {
            *slot = self.int(name)?;
        }
        Ok(patch)
    }
}

/// A JSON request body; an empty body is an empty object.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, GroupError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(GroupError::Invalid("body", "must be a JSON object".into())),
    }
}
