//! Calls to the server's `/api/v1`: JSON in and out, the session's CSRF
//! token on every state-changing call, failures as the server's
//! [`ErrorBody`].

use std::cell::RefCell;

use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{API_PREFIX, ErrorBody};
use shared::auth::CSRF_HEADER;

thread_local! {
    // The browser runs wasm on one thread; the token changes at sign-in.
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
}

pub fn set_csrf_token(token: &str) {
    CSRF.with(|c| token.clone_into(&mut c.borrow_mut()));
}

/// A failed call: the HTTP status (0 when the server was not reached) and
/// the server's explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub body: ErrorBody,
}

impl Failure {
    fn local(code: &str, message: String) -> Failure {
        Failure {
            status: 0,
            body: ErrorBody {
                code: code.to_owned(),
                message,
                field: None,
                request_id: None,
                trace_id: None,
            },
        }
    }
}

async fn call(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<gloo_net::http::Response, Failure> {
    let mut builder = RequestBuilder::new(&format!("{API_PREFIX}{path}")).method(method.clone());
    if method != Method::GET {
        builder = builder.header(CSRF_HEADER, &CSRF.with(|c| c.borrow().clone()));
    }
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|e| Failure::local("request", e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| Failure::local("network", e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            code: "http".into(),
            message: format!("HTTP {status}"),
            field: None,
            request_id: None,
            trace_id: None,
        });
    Err(Failure { status, body })
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let response = call(Method::GET, path, None::<&()>).await?;
    response
        .json()
        .await
        .map_err(|e| Failure::local("response", e.to_string()))
}

/// A state-changing call whose answer is JSON.
pub async fn send<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &impl Serialize,
) -> Result<T, Failure> {
    let response = call(method, path, Some(body)).await?;
    response
        .json()
        .await
        .map_err(|e| Failure::local("response", e.to_string()))
}

/// A state-changing call answered with no content.
pub async fn send_empty(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<(), Failure> {
    call(method, path, body).await.map(|_| ())
}
