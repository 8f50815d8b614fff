//! What every emulated Alibaba Cloud action reads and answers: its decoded
//! parameters and its errors. Below the transport ([`super::acs`]) and the
//! products (OOS, Security Center), so neither needs the other.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An Alibaba Cloud error: status plus `Code` and `Message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcsError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl AcsError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> AcsError {
        AcsError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// `Missing{Name}`, 400.
    pub fn missing(name: &str) -> AcsError {
        AcsError::new(
            StatusCode::BAD_REQUEST,
            &format!("Missing{}", name.replace('.', "")),
            format!(
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    /// `Invalid{Name}`, 400.
    pub fn invalid(name: &str, why: impl std::fmt::Display) -> AcsError {
        AcsError::new(
            StatusCode::BAD_REQUEST,
            &format!("Invalid{}", name.replace('.', "")),
            format!("The parameter \"{name}\" is invalid: {why}"),
        )
    }

    pub(crate) fn into_response_with(self, request_id: &str, host: &str) -> Response {
        let body = json!({
            "RequestId": request_id,
            "HostId": host,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product=Sandbox&requestId={request_id}",
                self.code
            ),
        });
        (self.status, Json(body)).into_response()
    }
}

pub type AcsResult<T> = Result<T, AcsError>;

/// The decoded action parameters of a call.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parameters as a test writes them.
    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        )
    }

    /// The value of `name`; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn require(&self, name: &str) -> AcsResult<&str> {
        self.get(name).ok_or_else(|| AcsError::missing(name))
    }

    pub fn int(&self, name: &str) -> AcsResult<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| AcsError::invalid(name, "must be an integer"))
            })
            .transpose()
    }
}

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}
