//! DingTalk: the new API (`api.dingtalk.com`, token in a header) and the
//! legacy one (`oapi.dingtalk.com`, token in the query), per app on the
//! mainland or international site, rate-limited per app, sharing one cached
//! token per app.

mod directory;
mod legacy;
mod new;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::token::{AccessToken, TokenCache};
use super::error::{ErrorKind, Service, UpstreamError, classify_dingtalk, classify_legacy};
use super::http::{self, DingTalkSite, Endpoints};
use super::ratelimit::{Rate, RateLimiters};
use super::retry::{Idempotency, RetryPolicy, with_retries};

/// DingTalk permissions the calls need (named when the app lacks one).
pub mod permission {
    pub const CHAT_MANAGE: &str = "qyapi_chat_manage";
    pub const CHAT_READ: &str = "qyapi_chat_read";
    pub const CHAT_BASE_READ: &str = "qyapi_chat_base_read";
    pub const GET_MEMBER: &str = "qyapi_get_member";
}

/// A DingTalk app's credentials. `Debug` hides the secret.
#[derive(Clone, Debug)]
pub struct DingTalkApp {
    pub app_key: String,
    pub app_secret: SecretString,
    pub site: DingTalkSite,
}

#[derive(Debug)]
pub struct DingTalkClient {
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
    tokens: TokenCache,
    limiters: RateLimiters,
    retry: RetryPolicy,
}

/// Which DingTalk API a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    New,
    Legacy,
}

/// One DingTalk call: where, how, and what it needs.
struct Call<'a> {
    api: Api,
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    body: Option<Value>,
    idempotency: Idempotency,
    permission: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewToken {
    access_token: String,
    expire_in: u64,
}

#[derive(Deserialize)]
struct NewError {
    code: Option<String>,
    message: Option<String>,
    requestid: Option<String>,
}

/// The six group switches as both APIs spell them (0/1).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSettings {
    chat_banned_type: u8,
    searchable: u8,
    validation_type: u8,
    mention_all_authority: u8,
    management_type: u8,
    show_history_type: u8,
}

impl From<&shared::groups::GroupSettings> for WireSettings {
    fn from(s: &shared::groups::GroupSettings) -> Self {
        WireSettings {
            chat_banned_type: s.muted.into(),
            searchable: s.searchable.into(),
            validation_type: s.join_needs_approval.into(),
            mention_all_authority: s.only_owner_mentions_all.into(),
            management_type: s.only_owner_manages.into(),
            show_history_type: s.new_members_see_history.into(),
        }
    }
}

/// Tokens are cached per app *and secret*: a token fetched with the right
/// secret must not answer for a record holding a wrong one (a replaced
/// secret, or "test connection" of a mistyped one). Only a digest of the
/// secret is kept.
fn cache_key(app: &DingTalkApp) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(app.app_secret.expose_secret().as_bytes());
    format!("{}#{}", app.app_key, hex::encode(&digest[..8]))
}

/// Whether DingTalk said the token is no longer valid.
fn token_rejected(err: &UpstreamError) -> bool {
    err.kind == ErrorKind::AuthFailed && (err.code == "40001" || err.http_status == Some(401))
}

impl DingTalkClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Arc<Endpoints>,
        rate: Rate,
        retry: RetryPolicy,
    ) -> DingTalkClient {
        DingTalkClient {
            http,
            endpoints,
            tokens: TokenCache::default(),
            limiters: RateLimiters::new(rate),
            retry,
        }
    }

    /// The app's current token, fetched (once, however many wait) when
    /// needed.
    async fn token(&self, app: &DingTalkApp) -> Result<AccessToken, UpstreamError> {
        self.tokens
            .get(&cache_key(app), || {
                with_retries(&self.retry, Idempotency::Read, |_| self.fetch_token(app))
            })
            .await
    }

    async fn fetch_token(
        &self,
        app: &DingTalkApp,
    ) -> Result<(SecretString, Duration), UpstreamError> {
        self.limiters.acquire(&app.app_key).await;
        let base = self.endpoints.dingtalk_api(app.site)?;
        let url = base.join("/v1.0/oauth2/accessToken").map_err(bad_url)?;
        let body = serde_json::json!({
            "appKey": app.app_key,
            "appSecret": app.app_secret.expose_secret(),
        });
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| UpstreamError::transport(Service::DingTalk, &e))?;
        let answer = http::read(Service::DingTalk, &base, response).await?;
        let token: NewToken = new_api_result(&answer, "")?;
        Ok((
            token.access_token.into(),
            Duration::from_secs(token.expire_in),
        ))
    }

    /// Checks the app's credentials by getting its token (from the cache
    /// while valid): the "test connection" of the credentials vault.
    pub async fn check_app(&self, app: &DingTalkApp) -> Result<(), UpstreamError> {
        self.token(app).await.map(|_| ())
    }

    /// Makes `call` with the app's token; when DingTalk says the token is
    /// invalid, drops it, fetches a new one and tries once more.
    async fn call<T: DeserializeOwned>(
        &self,
        app: &DingTalkApp,
        call: Call<'_>,
    ) -> Result<T, UpstreamError> {
        let mut token = self.token(app).await?;
        let mut refreshed = false;
        loop {
            let result = with_retries(&self.retry, call.idempotency, |_| {
                self.attempt(app, &token, &call)
            })
            .await;
            match result {
                Err(err) if !refreshed && token_rejected(&err) => {
                    tracing::info!(app_key = %app.app_key, "DingTalk token rejected; refreshing");
                    self.tokens.invalidate(&cache_key(app), &token);
                    token = self.token(app).await?;
                    refreshed = true;
                }
                other => return other,
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        app: &DingTalkApp,
        token: &AccessToken,
        call: &Call<'_>,
    ) -> Result<T, UpstreamError> {
        self.limiters.acquire(&app.app_key).await;
        let base = match call.api {
            Api::New => self.endpoints.dingtalk_api(app.site)?,
            Api::Legacy => self.endpoints.dingtalk_oapi(app.site)?,
        };
        let mut url = base.clone();
        url.set_path(call.path);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.extend_pairs(call.query);
            if call.api == Api::Legacy {
                pairs.append_pair("access_token", token.value.expose_secret());
            }
        }
        let mut request = self.http.request(call.method.clone(), url);
        if call.api == Api::New {
            request = request.header("x-acs-dingtalk-access-token", token.value.expose_secret());
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| UpstreamError::transport(Service::DingTalk, &e))?;
        let answer = http::read(Service::DingTalk, &base, response).await?;
        tracing::debug!(path = call.path, status = answer.status, "DingTalk call");
        match call.api {
            Api::New => new_api_result(&answer, call.permission),
            Api::Legacy => legacy_result(&answer, call.permission),
        }
    }
}

fn bad_url(e: url::ParseError) -> UpstreamError {
    UpstreamError::new(Service::DingTalk, ErrorKind::Protocol, "BadUrl").message(e.to_string())
}

/// A new-API answer: the body on 2xx, `{code, message, requestid}` otherwise.
fn new_api_result<T: DeserializeOwned>(
    answer: &http::Answer,
    permission: &str,
) -> Result<T, UpstreamError> {
    let status = answer.status;
    if (200..300).contains(&status) {
        let mut body: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| UpstreamError::protocol(Service::DingTalk, status, e))?;
        // The new API names a success's RequestId in a header, not the body.
        if let (Some(map), Some(id)) = (body.as_object_mut(), header_request_id(answer)) {
            map.entry("requestId").or_insert(Value::String(id));
        }
        return serde_json::from_value(body)
            .map_err(|e| UpstreamError::protocol(Service::DingTalk, status, e));
    }
    match serde_json::from_slice::<NewError>(&answer.body) {
        Ok(body) => {
            let code = body.code.unwrap_or_else(|| format!("Http{status}"));
            let (kind, retryable) = classify_dingtalk(status, &code, permission);
            Err(UpstreamError::new(Service::DingTalk, kind, code)
                .status(status)
                .message(body.message.unwrap_or_default())
                .request_id(body.requestid.or_else(|| header_request_id(answer)))
                .retryable(retryable)
                .retry_after(http::retry_after(&answer.headers)))
        }
        Err(_) if status >= 500 => Err(http_failure(status)),
        Err(e) => Err(UpstreamError::protocol(Service::DingTalk, status, e)),
    }
}

/// The `x-acs-request-id` header of a new-API answer.
fn header_request_id(answer: &http::Answer) -> Option<String> {
    answer
        .headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Where the new API puts the RequestId of a successful call.
pub const REQUEST_ID_HEADER: &str = "x-acs-request-id";

fn http_failure(status: u16) -> UpstreamError {
    UpstreamError::new(
        Service::DingTalk,
        ErrorKind::Unavailable,
        format!("Http{status}"),
    )
    .status(status)
    .message(format!("HTTP {status}"))
    .retryable(true)
}

/// A legacy answer: HTTP 200 with `errcode` 0, or an error. A body without
/// `errcode` is the IP ban (`{"status":1111,"wait":5}`, minutes).
fn legacy_result<T: DeserializeOwned>(
    answer: &http::Answer,
    permission: &str,
) -> Result<T, UpstreamError> {
    let status = answer.status;
    let value: Value = match serde_json::from_slice(&answer.body) {
        Ok(v) => v,
        Err(_) if status >= 500 => return Err(http_failure(status)),
        Err(e) => return Err(UpstreamError::protocol(Service::DingTalk, status, e)),
    };
    let request_id = value["request_id"].as_str().map(str::to_owned);
    let Some(errcode) = value["errcode"].as_i64() else {
        if status >= 500 {
            return Err(http_failure(status));
        }
        if let Some(wait) = value["wait"].as_u64() {
            return Err(UpstreamError::new(
                Service::DingTalk,
                ErrorKind::Throttled {
                    retry_after: Some(Duration::from_secs(wait * 60)),
                },
                "IpBlocked",
            )
            .status(status)
            .message(format!("this server's IP is blocked for {wait} minutes"))
            .retryable(true));
        }
        return Err(UpstreamError::protocol(
            Service::DingTalk,
            status,
            "no errcode",
        ));
    };
    if errcode != 0 {
        let (kind, retryable) = classify_legacy(errcode, permission);
        let mut message = value["errmsg"].as_str().unwrap_or_default().to_owned();
        if let Some(sub) = value["sub_msg"].as_str() {
            message = format!("{message} ({sub})");
        }
        return Err(
            UpstreamError::new(Service::DingTalk, kind, errcode.to_string())
                .status(status)
                .message(message)
                .request_id(request_id)
                .retryable(retryable)
                .retry_after(http::retry_after(&answer.headers)),
        );
    }
    serde_json::from_value(value).map_err(|e| UpstreamError::protocol(Service::DingTalk, status, e))
}

/// DingTalk writes some integers as strings (`tag`, `memberAmount`).
fn lenient_int<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// DingTalk writes booleans as `true` or as `"true"`.
fn lenient_bool(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> http::Answer {
        http::Answer {
            status,
            headers: Default::default(),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    #[test]
    fn legacy_answers() {
        let ok: Value = legacy_result(&answer(200, r#"{"errcode":0,"chatid":"c1"}"#), "p").unwrap();
        assert_eq!(ok["chatid"], "c1");
        let err = legacy_result::<Value>(
            &answer(
                200,
                r#"{"errcode":40001,"errmsg":"bad token","request_id":"r1"}"#,
            ),
            "p",
        )
        .unwrap_err();
        assert!(token_rejected(&err));
        assert_eq!(err.request_id.as_deref(), Some("r1"));
        let ban =
            legacy_result::<Value>(&answer(200, r#"{"status":1111,"wait":5}"#), "p").unwrap_err();
        assert_eq!(
            ban.kind,
            ErrorKind::Throttled {
                retry_after: Some(Duration::from_secs(300))
            }
        );
        let busy = legacy_result::<Value>(&answer(200, r#"{"errcode":-1,"errmsg":"busy"}"#), "p")
            .unwrap_err();
        assert!(busy.retryable);
        let auth = legacy_result::<Value>(
            &answer(
                200,
                r#"{"errcode":88,"errmsg":"auth","sub_code":"x","sub_msg":"why"}"#,
            ),
            "p",
        )
        .unwrap_err();
        assert_eq!(auth.message, "auth (why)");
        let garbage = legacy_result::<Value>(&answer(200, "{not json"), "p").unwrap_err();
        assert_eq!(garbage.kind, ErrorKind::Protocol);
        let down = legacy_result::<Value>(&answer(502, "<html>"), "p").unwrap_err();
        assert_eq!((down.kind, down.retryable), (ErrorKind::Unavailable, true));
    }

    #[test]
    fn new_api_answers() {
        let err = new_api_result::<Value>(
            &answer(
                401,
                r#"{"code":"InvalidAuthentication","message":"m","requestid":"r"}"#,
            ),
            "p",
        )
        .unwrap_err();
        assert!(token_rejected(&err));
        assert_eq!(err.request_id.as_deref(), Some("r"));
        let err = new_api_result::<Value>(&answer(200, "[1,"), "p").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Protocol);
        assert!(lenient_bool(&Value::String("true".into())));
        assert!(lenient_bool(&Value::Bool(true)));
        assert!(!lenient_bool(&Value::String("false".into())));
    }
}
