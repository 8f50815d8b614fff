//! Calls to the server's `/api/v1`: JSON in and out, the session's CSRF
//! token on every state-changing call, an `Idempotency-Key` on creates that
//! ask for one, failures as the server's [`ErrorBody`]. A 401
//! `unauthenticated` (the session ended) is reported to whoever registered
//! with [`on_session_expired`].

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use shared::api::{API_PREFIX, ErrorBody, IDEMPOTENCY_HEADER};
use shared::auth::CSRF_HEADER;
use wasm_bindgen::JsValue;

use crate::wire::FromJson;

pub use crate::json::Json;

/// Codes the client itself gives a failure that never got a server answer.
pub const CLIENT_CODES: [&str; 5] = ["network", "request", "response", "http", "aborted"];

thread_local! {
    // The browser runs wasm on one thread; the token changes at sign-in.
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
    static EXPIRED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn set_csrf_token(token: &str) {
    CSRF.with(|c| token.clone_into(&mut c.borrow_mut()));
}

/// Registers what happens when any call finds the session gone (the auth
/// module sends the user to sign-in). The API layer knows no pages.
pub fn on_session_expired(handler: impl Fn() + 'static) {
    EXPIRED.with(|e| *e.borrow_mut() = Some(Rc::new(handler)));
}

/// A failed call: the HTTP status (0 when the server was not reached) and
/// the server's explanation. Boxed: every `Result` of a call carries one,
/// and a small error is less code to move at each `?` (BENCHMARKS.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub body: Box<ErrorBody>,
}

impl Failure {
    /// A field the browser found wrong before sending, worded as the
    /// server would answer it.
    pub fn invalid(field: &str, problem: shared::validate::Problem) -> Failure {
        let mut f = Failure::local("invalid_input");
        f.body.field = Some(field.to_owned());
        f.body.problem = Some(problem);
        f
    }

    /// A failure the browser met, by its code alone: the console words it
    /// from the code ([`CLIENT_CODES`]); a library's English sentence would
    /// never be shown, and formatting it would ship in the wasm.
    fn local(code: &str) -> Failure {
        Failure {
            status: 0,
            body: Box::new(ErrorBody {
                code: code.to_owned(),
                message: String::new(),
                field: None,
                problem: None,
                request_id: None,
                trace_id: None,
            }),
        }
    }
}

/// A fresh random key for one submission of a create form: 128 bits from
/// the browser's CSPRNG, as hex (works outside secure contexts too, unlike
/// `randomUUID`).
pub fn new_idempotency_key() -> String {
    let mut bytes = [0_u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (never in a supported browser): still distinct keys.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON text of a request body. Serialised here so that [`call`], the
/// bulk of the client, is compiled once rather than once per body type.
fn json(body: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(body).map_err(|_| Failure::local("request"))
}

async fn call(
    method: Method,
    path: &str,
    body: Option<String>,
    idempotency_key: Option<&str>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<gloo_net::http::Response, Failure> {
    let mut builder = RequestBuilder::new(&format!("{API_PREFIX}{path}"))
        .method(method.clone())
        .abort_signal(signal);
    if method != Method::GET {
        builder = builder.header(CSRF_HEADER, &CSRF.with(|c| c.borrow().clone()));
    }
    if let Some(key) = idempotency_key {
        builder = builder.header(IDEMPOTENCY_HEADER, key);
    }
    let request = match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|_| Failure::local("request"))?;
    let response = request.send().await.map_err(|_| {
        // A request the page no longer wants is not a failure to show.
        let code = if signal.is_some_and(web_sys::AbortSignal::aborted) {
            "aborted"
        } else {
            "network"
        };
        Failure::local(code)
    })?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = json_of(response)
        .await
        .and_then(decode::<ErrorBody>)
        .unwrap_or_else(|_| ErrorBody {
            code: "http".into(),
            message: format!("HTTP {status}"),
            field: None,
            problem: None,
            request_id: None,
            trace_id: None,
        });
    if status == 401 && body.code == "unauthenticated" {
        // Cloned out first: the handler may register a new one.
        if let Some(handler) = EXPIRED.with(|e| e.borrow().clone()) {
            handler();
        }
    }
    Err(Failure {
        status,
        body: Box::new(body),
    })
}

/// The answer parsed by the browser's `JSON.parse`. Not generic, so the
/// async part of every call is compiled once.
async fn json_of(response: gloo_net::http::Response) -> Result<JsValue, Failure> {
    let text = response
        .text()
        .await
        .map_err(|_| Failure::local("response"))?;
    js_sys::JSON::parse(&text).map_err(|_| Failure::local("response"))
}

/// Reads an answer the browser parsed (`crate::wire`); a [`Json`] is kept
/// as it is.
pub fn decode<T: FromJson>(value: JsValue) -> Result<T, Failure> {
    T::from_json(&Json::new(value)).ok_or_else(|| Failure::local("response"))
}

/// A server error nested in an answer (one account's or region's
/// failure), through the one `ErrorBody` decoder; `None` for `null`.
pub fn failure_of(v: &Json) -> Option<Failure> {
    if v.is_null() {
        return None;
    }
    let body = ErrorBody::from_json(v)?;
    Some(Failure {
        status: 0,
        body: Box::new(body),
    })
}

pub async fn get<T: FromJson>(path: &str) -> Result<T, Failure> {
    decode(get_json(path).await?)
}

/// A GET's answer before decoding, for callers that keep the waiting
/// apart from the type.
pub async fn get_json(path: &str) -> Result<JsValue, Failure> {
    get_json_abortable(path, None).await
}

/// A GET that `signal` can abandon; it then fails with code `aborted`.
pub async fn get_json_abortable(
    path: &str,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<JsValue, Failure> {
    json_of(call(Method::GET, path, None, None, signal).await?).await
}

/// A state-changing call whose answer is JSON.
pub async fn send<T: FromJson>(
    method: Method,
    path: &str,
    body: &impl Serialize,
) -> Result<T, Failure> {
    decode(json_of(call(method, path, Some(json(body)?), None, None).await?).await?)
}

/// A bulk call's answer item by item: the `ItemOutcome`s at `at` in the
/// JSON it returns (`/results`, `/add`, `/remove`).
pub async fn send_outcomes(
    method: Method,
    path: &str,
    body: &impl Serialize,
    at: &str,
) -> Result<Vec<shared::outcome::ItemOutcome>, Failure> {
    let answer = send_json_text(method, path, json(body)?).await?;
    decode(crate::json::at(&Json::new(answer), at).js())
}

/// A create (`POST`) the server performs once per `idempotency_key`: a
/// retry of the same submission sends the same key (see
/// `crate::ui::form`).
pub async fn create<T: FromJson>(
    path: &str,
    body: &impl Serialize,
    idempotency_key: &str,
) -> Result<T, Failure> {
    decode(
        json_of(
            call(
                Method::POST,
                path,
                Some(json(body)?),
                Some(idempotency_key),
                None,
            )
            .await?,
        )
        .await?,
    )
}

/// A state-changing call with a body already serialised; the answer's
/// JSON, if any (`null` for no content). Not generic: every edit that
/// goes through review shares it.
pub async fn send_json_text(method: Method, path: &str, body: String) -> Result<JsValue, Failure> {
    let response = call(method, path, Some(body), None, None).await?;
    if response.status() == 204 {
        return Ok(JsValue::NULL);
    }
    json_of(response).await
}

/// The JSON text of `body`, for [`send_json_text`].
pub fn to_json(body: &impl Serialize) -> Result<String, Failure> {
    json(body)
}

/// A create whose body is already JSON text (a page that builds bodies
/// from form values); the answer's JSON.
pub async fn create_json_text(
    path: &str,
    body: String,
    idempotency_key: &str,
) -> Result<JsValue, Failure> {
    json_of(call(Method::POST, path, Some(body), Some(idempotency_key), None).await?).await
}

/// A state-changing call answered with no content.
pub async fn send_empty(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<(), Failure> {
    let body = body.map(json).transpose()?;
    call(method, path, body, None, None).await.map(|_| ())
}
