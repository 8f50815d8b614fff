//! Signed Alibaba Cloud RPC calls (OOS, Security Center): `POST /` with every
//! parameter in the query, signed with ACS3-HMAC-SHA256 or, per account, the
//! legacy HMAC-SHA1 signature. The query sent is byte for byte the one
//! signed.

use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{ErrorKind, Service, UpstreamError, classify_acs};
use super::http::{self, host_header};
use super::ratelimit::{Rate, RateLimiters};
use super::retry::{Idempotency, RetryPolicy, with_retries};
use super::signing::{
    Authorization, EMPTY_SHA256, acs3_signature, canonical_query, canonical_request,
    legacy_signature, legacy_string_to_sign, string_to_sign,
};

/// Which signature an account uses (stored with it in the vault).
pub use shared::vault::SignatureKind;

/// An Alibaba Cloud account's credentials. `Debug` shows the id only.
#[derive(Clone, Debug)]
pub struct AcsCredentials {
    pub access_key_id: String,
    pub access_key_secret: SecretString,
    /// STS security token, for temporary credentials.
    pub security_token: Option<SecretString>,
    pub signature: SignatureKind,
}

/// What goes on the wire for one signed call: the query and the headers
/// beyond the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCall {
    pub query: String,
    pub headers: Vec<(&'static str, String)>,
}

/// One RPC action to call. `Debug` names the parameters but not their
/// values, which may be secrets (a client secret, a webhook token).
#[derive(Clone)]
pub struct RpcRequest {
    pub service: Service,
    pub version: &'static str,
    pub action: &'static str,
    pub params: Vec<(String, String)>,
    pub idempotency: Idempotency,
}

impl std::fmt::Debug for RpcRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcRequest")
            .field("service", &self.service)
            .field("action", &self.action)
            .field(
                "params",
                &self.params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl RpcRequest {
    pub fn new(
        service: Service,
        version: &'static str,
        action: &'static str,
        idempotency: Idempotency,
    ) -> RpcRequest {
        RpcRequest {
            service,
            version,
            action,
            params: Vec::new(),
            idempotency,
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> RpcRequest {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds a parameter when there is a value.
    pub fn param_opt(self, name: &str, value: Option<impl Into<String>>) -> RpcRequest {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }

    /// The RAM action a denial names.
    pub fn ram_action(&self) -> String {
        let namespace = match self.service {
            Service::Oos => "oos",
            Service::Sas => "yundun-sas",
            Service::DingTalk => "dingtalk",
        };
        format!("{namespace}:{}", self.action)
    }
}

/// Signs `request` for `host` (ACS3): the headers of spec section 5.
pub fn sign_acs3(
    credentials: &AcsCredentials,
    host: &str,
    request: &RpcRequest,
    date: &str,
    nonce: &str,
) -> SignedCall {
    let query = canonical_query(&request.params);
    let mut headers: Vec<(&'static str, String)> = vec![
        ("host", host.to_owned()),
        ("x-acs-action", request.action.to_owned()),
        ("x-acs-version", request.version.to_owned()),
        ("x-acs-date", date.to_owned()),
        ("x-acs-signature-nonce", nonce.to_owned()),
        ("x-acs-content-sha256", EMPTY_SHA256.to_owned()),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("x-acs-security-token", token.expose_secret().to_owned()));
    }
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (canonical, signed_headers) = canonical_request("POST", "/", &query, &pairs, EMPTY_SHA256);
    let signature = acs3_signature(
        credentials.access_key_secret.expose_secret(),
        &string_to_sign(&canonical),
    );
    let authorization = Authorization {
        access_key_id: credentials.access_key_id.clone(),
        signed_headers: signed_headers.split(';').map(str::to_owned).collect(),
        signature,
    };
    headers.push(("authorization", authorization.to_header()));
    SignedCall { query, headers }
}

/// Signs `request` the legacy way: common parameters plus `Signature` in
/// the query.
pub fn sign_legacy(
    credentials: &AcsCredentials,
    request: &RpcRequest,
    timestamp: &str,
    nonce: &str,
) -> SignedCall {
    let mut params = request.params.clone();
    params.extend(
        [
            ("Action", request.action),
            ("Format", "json"),
            ("Version", request.version),
            ("AccessKeyId", credentials.access_key_id.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", timestamp),
            ("SignatureNonce", nonce),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    if let Some(token) = &credentials.security_token {
        params.push(("SecurityToken".into(), token.expose_secret().to_owned()));
    }
    let signature = legacy_signature(
        credentials.access_key_secret.expose_secret(),
        &legacy_string_to_sign("POST", &params),
    );
    params.push(("Signature".into(), signature));
    SignedCall {
        query: canonical_query(&params),
        headers: Vec::new(),
    }
}

/// A random 128-bit hex nonce.
pub fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn acs_date(now: SystemTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from(now)
        .format(FORMAT)
        .expect("a UTC date always formats")
}

/// The error body of section 6.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody {
    request_id: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// Signs, rate-limits (per AccessKey) and retries RPC calls.
#[derive(Debug)]
pub struct AcsClient {
    http: reqwest::Client,
    limiters: RateLimiters,
    retry: RetryPolicy,
}

impl AcsClient {
    pub fn new(http: reqwest::Client, rate: Rate, retry: RetryPolicy) -> AcsClient {
        AcsClient {
            http,
            limiters: RateLimiters::new(rate),
            retry,
        }
    }

    /// Calls `request` at `base` and decodes the JSON answer.
    pub async fn call<T: DeserializeOwned>(
        &self,
        credentials: &AcsCredentials,
        base: &Url,
        request: &RpcRequest,
    ) -> Result<T, UpstreamError> {
        with_retries(&self.retry, request.idempotency, |_| {
            self.attempt(credentials, base, request)
        })
        .await
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        credentials: &AcsCredentials,
        base: &Url,
        request: &RpcRequest,
    ) -> Result<T, UpstreamError> {
        let service = request.service;
        self.limiters.acquire(&credentials.access_key_id).await;
        let host = host_header(base);
        let (date, nonce) = (acs_date(SystemTime::now()), nonce());
        let signed = match credentials.signature {
            SignatureKind::V3 => sign_acs3(credentials, &host, request, &date, &nonce),
            SignatureKind::Legacy => sign_legacy(credentials, request, &date, &nonce),
        };
        let mut url = base.clone();
        url.set_path("/");
        url.set_query(Some(&signed.query));
        let mut builder = self.http.post(url);
        for (name, value) in &signed.headers {
            builder = builder.header(*name, value);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| UpstreamError::transport(service, &e))?;
        let answer = http::read(service, base, response).await?;
        let status = answer.status;
        tracing::debug!(%service, action = request.action, status, "upstream call");
        if (200..300).contains(&status) {
            return serde_json::from_slice(&answer.body)
                .map_err(|e| UpstreamError::protocol(service, status, e));
        }
        let retry_after = http::retry_after(&answer.headers);
        let Ok(body) = serde_json::from_slice::<ErrorBody>(&answer.body) else {
            return Err(if status >= 500 {
                UpstreamError::new(service, ErrorKind::Unavailable, format!("Http{status}"))
                    .status(status)
                    .message(format!("HTTP {status} without an error body"))
                    .retryable(true)
            } else {
                UpstreamError::protocol(service, status, "error without a JSON body")
            });
        };
        let code = body.code.unwrap_or_else(|| format!("Http{status}"));
        let (kind, retryable) = classify_acs(status, &code, &request.ram_action(), retry_after);
        Err(UpstreamError::new(service, kind, code)
            .status(status)
            .message(body.message.unwrap_or_default())
            .request_id(body.request_id)
            .retryable(retryable))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use serde_json::Value;

    fn vector(name: &str) -> Value {
        let doc: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/acs-signature-vectors.json"
        ))
        .unwrap();
        doc["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    }

    fn credentials(v: &Value, signature: SignatureKind) -> AcsCredentials {
        AcsCredentials {
            access_key_id: v["inputs"]["access_key_id"].as_str().unwrap().into(),
            access_key_secret: v["inputs"]["access_key_secret"].as_str().unwrap().into(),
            security_token: None,
            signature,
        }
    }

    fn get_chat_configuration() -> RpcRequest {
        RpcRequest {
            service: Service::Oos,
            version: "2019-06-01",
            action: "GetChatConfiguration",
            params: vec![
                ("RegionId".into(), "cn-hangzhou".into()),
                ("Name".into(), "chatops-dingtalk".into()),
            ],
            idempotency: Idempotency::Read,
        }
    }

    #[test]
    fn acs3_reproduces_the_minimal_headers_vector() {
        let v = vector("oos.GetChatConfiguration.v3.minimal_headers");
        let signed = sign_acs3(
            &credentials(&v, SignatureKind::V3),
            "oos.cn-hangzhou.aliyuncs.com",
            &get_chat_configuration(),
            "2026-01-15T08:30:00Z",
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        );
        assert_eq!(signed.query, "Name=chatops-dingtalk&RegionId=cn-hangzhou");
        let auth = signed.headers.iter().find(|(n, _)| *n == "authorization");
        assert_eq!(auth.unwrap().1, v["authorization"].as_str().unwrap());
    }

    #[test]
    fn legacy_reproduces_the_rpc_v2_vector() {
        let v = vector("oos.GetChatConfiguration.rpc_v2");
        let signed = sign_legacy(
            &credentials(&v, SignatureKind::Legacy),
            &get_chat_configuration(),
            "2026-01-15T08:30:00Z",
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        );
        let expected = crate::upstream::signing::percent_encode(v["signature"].as_str().unwrap());
        assert!(
            signed.query.ends_with("&Version=2019-06-01")
                && signed.query.contains(&format!("Signature={expected}&")),
            "{}",
            signed.query
        );
        assert!(signed.headers.is_empty());
    }

    #[test]
    fn sts_token_is_sent_and_signed() {
        let v = vector("oos.GetChatConfiguration.v3.minimal_headers");
        let mut creds = credentials(&v, SignatureKind::V3);
        creds.security_token = Some("sts-token".into());
        let signed = sign_acs3(&creds, "h", &get_chat_configuration(), "d", "n");
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("x-acs-security-token").as_deref(), Some("sts-token"));
        assert!(
            header("authorization")
                .unwrap()
                .contains(";x-acs-security-token;x-acs-signature-nonce;")
        );
        let legacy = sign_legacy(&creds, &get_chat_configuration(), "d", "n");
        assert!(legacy.query.contains("SecurityToken=sts-token"));
    }

    #[test]
    fn query_is_sorted_and_rfc3986_encoded() {
        let mut request = get_chat_configuration();
        request.params = vec![
            ("b".into(), "a b*c+~".into()),
            ("Filters.1.Name".into(), "漏".into()),
        ];
        let signed = sign_acs3(
            &credentials(
                &vector("oos.GetChatConfiguration.v3.minimal_headers"),
                SignatureKind::V3,
            ),
            "h",
            &request,
            "d",
            "n",
        );
        assert_eq!(signed.query, "Filters.1.Name=%E6%BC%8F&b=a%20b%2Ac%2B~");
    }

    #[test]
    fn nonces_are_128_bit_hex_and_fresh() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn dates_are_utc_iso8601() {
        let t = UNIX_EPOCH + Duration::from_secs(1_768_465_800);
        assert_eq!(acs_date(t), "2026-01-15T08:30:00Z");
        assert_eq!(acs_date(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_251_199);
        assert_eq!(acs_date(leap), "2024-02-29T23:59:59Z");
    }
}
