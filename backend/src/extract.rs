//! The request extractors every handler uses: [`Json`] bodies, [`Query`]
//! strings and [`Path`] parameters. Whatever they refuse is an
//! [`ApiError`], so every refusal is the API's JSON error: the offending
//! value named by its JSON path (`settings.searchabel`, `members[2]`, the
//! path parameter `id`), what was wrong as a [`Problem`], and no echo of
//! more than a few dozen characters of the input.

use axum::body::Bytes;
use axum::extract::path::ErrorKind as PathErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use shared::validate::{ECHO_CHARS, InvalidField, Problem, clip, join_path, take_refused};

use crate::error::ApiError;

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body, or a JSON answer (the same type both ways).
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::InvalidJson(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::InvalidJson(clip(&r.body_text(), ECHO_CHARS).into_owned())
            }
        })?;
        parse_body(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
    else {
        return false;
    };
    let mime = mime.trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A request body as `T`, every refusal naming its JSON path.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    take_refused();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = json_path(err.path());
        let inner = err.into_inner();
        let text = without_position(&inner);
        match inner.classify() {
            serde_json::error::Category::Data => refusal(&path, &text, Problem::Other).into(),
            serde_json::error::Category::Eof if bytes.iter().all(u8::is_ascii_whitespace) => {
                ApiError::InvalidJson("the body is empty; send a JSON value".into())
            }
            _ => ApiError::InvalidJson(format!(
                "{} at line {}, column {}",
                clip(&text, ECHO_CHARS * 2),
                inner.line(),
                inner.column()
            )),
        }
    })?;
    de.end().map_err(|e| {
        ApiError::InvalidJson(format!("{} after the JSON value", without_position(&e)))
    })?;
    Ok(value)
}

/// serde_json's message without the " at line L column C" it appends
/// (the message alone is not exposed).
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// The query string as `T`: a parameter given twice, one `T` does not
/// have and one that does not parse are refused by name.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// Refuses a query string no route can read, whatever parameters it
/// takes: one not valid UTF-8 once decoded, or with a parameter given
/// twice. [`crate::api::guard`] checks every request with it.
pub fn check_query(raw: &str) -> Result<(), ApiError> {
    let mut seen: Vec<String> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = |text: &str| {
            let text = text.replace('+', " ");
            percent_encoding::percent_decode_str(&text)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
        };
        let Ok(key) = decoded(key) else {
            return Err(
                InvalidField::new("", "a query parameter's name is not valid UTF-8")
                    .because(Problem::Format)
                    .into(),
            );
        };
        if decoded(value).is_err() {
            return Err(
                InvalidField::new(clip(&key, ECHO_CHARS), "is not valid UTF-8")
                    .because(Problem::Format)
                    .into(),
            );
        }
        if seen.contains(&key) {
            return Err(
                InvalidField::new(clip(&key, ECHO_CHARS), "is given more than once")
                    .because(Problem::Duplicate)
                    .into(),
            );
        }
        seen.push(key);
    }
    Ok(())
}

/// A query string as `T`, every refusal naming its parameter.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    check_query(raw)?;
    take_refused();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = json_path(err.path());
        // Every query value is text parsed into its type: what does not
        // parse is of the wrong form.
        refusal(&path, &err.into_inner().to_string(), Problem::Format).into()
    })
}

/// The path parameters as `T`; a parameter that is not valid UTF-8 or does
/// not parse is refused by its name in the route (`id`).
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        take_refused();
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(err)) => {
                // A tuple's refusal gives the parameter's position only.
                let keys: Vec<String> = match RawPathParams::from_request_parts(parts, state).await
                {
                    Ok(params) => params.iter().map(|(k, _)| k.to_owned()).collect(),
                    Err(_) => Vec::new(),
                };
                Err(path_error(err.into_kind(), &keys))
            }
            // The route table and the handler disagree: a bug, not bad input.
            Err(PathRejection::MissingPathParams(err)) => {
                Err(ApiError::Internal(anyhow::anyhow!("{}", err.body_text())))
            }
            Err(other) => Err(ApiError::Internal(anyhow::anyhow!("{}", other.body_text()))),
        }
    }
}

fn path_error(kind: PathErrorKind, keys: &[String]) -> ApiError {
    let key_at = |index: usize| keys.get(index).cloned().unwrap_or_default();
    let wrong_form = |key: String, expected: &str, value: &str| {
        InvalidField::new(
            key,
            format!(
                "must be {} (not {:?})",
                type_words(expected),
                clip(value, ECHO_CHARS)
            ),
        )
        .because(Problem::Format)
    };
    let err = match kind {
        PathErrorKind::InvalidUtf8InPathParam { key } => {
            InvalidField::new(key, "is not valid UTF-8 once percent-decoded")
                .because(Problem::Format)
        }
        PathErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => wrong_form(key, expected_type, &value),
        PathErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => wrong_form(key_at(index), expected_type, &value),
        PathErrorKind::ParseError {
            value,
            expected_type,
        } => wrong_form(key_at(0), expected_type, &value),
        PathErrorKind::DeserializeError { key, message, .. } => {
            return refusal(&key, &message, Problem::Format).into();
        }
        other => return ApiError::Internal(anyhow::anyhow!("path parameters: {other}")),
    };
    err.into()
}

/// Rust's type names as a user reads them.
fn type_words(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of at least 0",
        "f32" | "f64" => "a number",
        "bool" => "true or false",
        other => other,
    }
}

/// The JSON path serde_path_to_error tracked, as the API names fields:
/// `a.b[2].c`, empty at the top.
fn json_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => out = join_path(&out, &clip(key, ECHO_CHARS)),
            Segment::Enum { variant } => out = join_path(&out, &clip(variant, ECHO_CHARS)),
            Segment::Unknown => out = join_path(&out, "?"),
        }
    }
    out
}

/// A refused value at `path`, from serde's `message`: its standard
/// messages say which problem it was; a newtype's refusal is taken back
/// whole (see [`shared::validate::refused`]).
fn refusal(path: &str, message: &str, fallback: Problem) -> InvalidField {
    if let Some(refused) = take_refused().filter(|r| r.to_string() == message) {
        return InvalidField {
            field: path.to_owned(),
            ..refused
        };
    }
    // `unknown field `x`, expected …`, `missing field `x``: the field is
    // named by serde; the path may stop at its struct.
    let named = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        let name = ["`, expected ", "`, there are no fields"]
            .iter()
            .find_map(|end| rest.find(end).map(|i| &rest[..i]))
            .or_else(|| rest.strip_suffix('`'))?;
        Some(child(path, name))
    };
    if let Some(field) = named("unknown field `") {
        return InvalidField::new(field, "is not a field of this request")
            .because(Problem::UnknownField);
    }
    if let Some(field) = named("missing field `") {
        return InvalidField::new(field, "is required").because(Problem::Required);
    }
    if let Some(field) = named("duplicate field `") {
        return InvalidField::new(field, "is given more than once").because(Problem::Duplicate);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest
            .rsplit_once("`, expected ")
            .unwrap_or((rest, "another value"));
        return InvalidField::new(
            path,
            format!(
                "must be {} (not {:?})",
                clip(expected, ECHO_CHARS * 2),
                clip(value, ECHO_CHARS)
            ),
        )
        .because(Problem::Unknown);
    }
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (got, expected) = rest
                .rsplit_once(", expected ")
                .unwrap_or((rest, "another value"));
            return InvalidField::new(
                path,
                format!(
                    "must be {} (not {})",
                    clip(expected, ECHO_CHARS * 2),
                    clip(got, ECHO_CHARS)
                ),
            )
            .because(Problem::Format);
        }
    }
    InvalidField::new(path, clip(message, ECHO_CHARS * 2)).because(fallback)
}

/// `name` inside `path`, unless the path already ends with it.
fn child(path: &str, name: &str) -> String {
    let name = clip(name, ECHO_CHARS);
    if path == name || path.ends_with(&format!(".{name}")) {
        path.to_owned()
    } else {
        join_path(path, &name)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        searchable: bool,
        count: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        settings: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
    }

    fn refused(body: &str) -> shared::api::ErrorBody {
        match parse_body::<Outer>(body.as_bytes()) {
            Ok(v) => panic!("accepted {v:?}"),
            Err(e) => e.body(),
        }
    }

    #[test]
    fn a_good_body_parses() {
        let ok: Outer =
            parse_body(br#"{"name":"a","settings":{"searchable":true,"count":2},"list":[]}"#)
                .unwrap();
        let settings = ok.settings.unwrap();
        assert_eq!(
            (ok.name.as_str(), settings.searchable, settings.count),
            ("a", true, 2)
        );
        assert!(ok.list.is_empty());
    }

    #[test]
    fn body_refusals_name_the_json_path_and_the_problem() {
        let cases = [
            (
                r#"{"name":"a","settings":{"searchabel":true}}"#,
                "settings.searchabel",
                Problem::UnknownField,
            ),
            (
                r#"{"name":"a","settings":{"searchable":true}}"#,
                "settings.count",
                Problem::Required,
            ),
            (
                r#"{"name":"a","list":[{"searchable":true,"count":-1}]}"#,
                "list[0].count",
                Problem::Format,
            ),
            (r#"{"name":7}"#, "name", Problem::Format),
            (r#"{}"#, "name", Problem::Required),
        ];
        for (body, field, problem) in cases {
            let err = refused(body);
            assert_eq!(err.code, "invalid_input", "{body}");
            assert_eq!(err.field.as_deref(), Some(field), "{body}");
            assert_eq!(err.problem, Some(problem), "{body}");
        }
        assert_eq!(refused("{\"name\":").code, "invalid_json");
        assert_eq!(refused("").code, "invalid_json");
        assert_eq!(refused(r#"{"name":"a"} x"#).code, "invalid_json");
    }

    #[test]
    fn refusals_echo_a_few_dozen_characters_at_most() {
        let long = "x".repeat(60_000);
        for body in [
            format!(r#"{{"name":{{"{long}":1}}}}"#),
            format!(r#"{{"name":"a","{long}":1}}"#),
            format!(r#"{{"name":"a","settings":{{"searchable":"{long}"}}}}"#),
            format!(r#"{{"name":"{long}"#),
        ] {
            let err = refused(&body);
            let json = serde_json::to_string(&err).unwrap();
            assert!(json.len() < 400, "{} bytes: {}", json.len(), &json[..400]);
        }
        let err = parse_query::<BTreeMap<String, u32>>(&format!("a={long}")).unwrap_err();
        assert!(serde_json::to_string(&err.body()).unwrap().len() < 400);
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        page: Option<u32>,
        #[serde(rename = "type")]
        kind: Option<shared::chat_configs::ChatPlatform>,
    }

    #[test]
    fn query_refusals_name_the_parameter() {
        let cases = [
            ("page=x", "page", Problem::Format),
            ("page=1&page=2", "page", Problem::Duplicate),
            ("type=Bogus", "type", Problem::Unknown),
            ("pgae=1", "pgae", Problem::UnknownField),
        ];
        for (query, field, problem) in cases {
            let err = parse_query::<Params>(query).unwrap_err().body();
            assert_eq!(err.code, "invalid_input", "{query}");
            assert_eq!(err.field.as_deref(), Some(field), "{query}");
            assert_eq!(err.problem, Some(problem), "{query}");
        }
        let ok = parse_query::<Params>("page=3&type=DingTalk").unwrap();
        assert_eq!(ok.page, Some(3));
        assert_eq!(ok.kind, Some(shared::chat_configs::ChatPlatform::DingTalk));
        let err = parse_query::<Params>("page=%FF").unwrap_err().body();
        assert_eq!(err.field.as_deref(), Some("page"));
        assert_eq!(err.problem, Some(Problem::Format));
    }

    #[test]
    fn a_newtype_refusal_keeps_its_problem() {
        #[derive(Debug, Deserialize)]
        struct Named {
            labels: Vec<shared::chat_configs::Label>,
        }
        let ok = parse_body::<Named>(br#"{"labels":["ok"]}"#).unwrap();
        assert_eq!(ok.labels[0].as_str(), "ok");
        let err = parse_body::<Named>(br#"{"labels":["ok","   "]}"#)
            .unwrap_err()
            .body();
        assert_eq!(err.field.as_deref(), Some("labels[1]"));
        assert_eq!(err.problem, Some(Problem::Empty));
    }
}
