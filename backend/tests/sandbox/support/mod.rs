//! Test-only clients of the sandbox: an ACS signer built from
//! `backend::upstream::signing` and thin DingTalk helpers. Not the
//! production clients: just enough to put real requests on the wire.

use backend::sandbox::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_APP_KEY, DEMO_APP_SECRET, Sandbox,
    SandboxConfig,
};
use backend::upstream::signing::{self, Authorization, EMPTY_SHA256};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const OOS: &str = "2019-06-01";
pub const SAS: &str = "2018-12-03";

pub async fn start() -> Sandbox {
    start_with(SandboxConfig::demo()).await
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The `Code` of an ACS error, checking the documented error body.
    pub fn acs_code(&self) -> &str {
        for field in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(
                self.body[field].is_string(),
                "{field} missing in {}",
                self.body
            );
        }
        self.body["Code"].as_str().unwrap()
    }

    pub fn errcode(&self) -> i64 {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert!(self.body["request_id"].is_string(), "{}", self.body);
        self.body["errcode"]
            .as_i64()
            .unwrap_or_else(|| panic!("no errcode: {}", self.body))
    }

    /// The `code` of a new-API error, checking the error body.
    pub fn code(&self) -> &str {
        assert!(self.body["requestid"].is_string(), "{}", self.body);
        assert!(self.body["message"].is_string(), "{}", self.body);
        self.body["code"].as_str().unwrap()
    }
}

#[derive(Clone, Debug)]
pub struct Signer {
    pub key_id: String,
    pub secret: String,
    pub sts_token: Option<String>,
}

impl Signer {
    pub fn demo() -> Signer {
        Signer::new(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)
    }

    pub fn new(key_id: &str, secret: &str) -> Signer {
        Signer {
            key_id: key_id.into(),
            secret: secret.into(),
            sts_token: None,
        }
    }
}

pub fn now_acs() -> String {
    backend::sandbox::acs::format_acs_date(time::OffsetDateTime::now_utc())
}

pub fn fresh_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// One Alibaba Cloud RPC call, signed V3 (default) or legacy.
#[derive(Clone, Debug)]
pub struct AcsRequest {
    pub action: String,
    pub version: String,
    pub params: Vec<(String, String)>,
    pub date: String,
    pub nonce: String,
    /// Signed headers left out of SignedHeaders (to test the verifier).
    pub unsigned: Vec<String>,
    /// A parameter added to the URL after signing.
    pub tamper: Option<(String, String)>,
    pub body: Vec<u8>,
    /// Send the query as the official Python SDK does: `urlencode` of the
    /// parameters in their given order (spaces as `+`), not the canonical form.
    pub sdk_wire_query: bool,
}

impl AcsRequest {
    pub fn new(action: &str, version: &str) -> AcsRequest {
        AcsRequest {
            action: action.into(),
            version: version.into(),
            params: Vec::new(),
            date: now_acs(),
            nonce: fresh_nonce(),
            unsigned: Vec::new(),
            tamper: None,
            body: Vec::new(),
            sdk_wire_query: false,
        }
    }

    pub fn oos(action: &str, region: &str) -> AcsRequest {
        AcsRequest::new(action, OOS).param("RegionId", region)
    }

    pub fn sas(action: &str) -> AcsRequest {
        AcsRequest::new(action, SAS)
    }

    pub fn param(mut self, name: &str, value: &str) -> AcsRequest {
        self.params.push((name.into(), value.into()));
        self
    }

    pub fn date(mut self, date: &str) -> AcsRequest {
        self.date = date.into();
        self
    }

    pub fn nonce(mut self, nonce: &str) -> AcsRequest {
        self.nonce = nonce.into();
        self
    }

    pub async fn send(&self, sandbox: &Sandbox, signer: &Signer) -> Reply {
        let host = sandbox.local_addr().to_string();
        let query = signing::canonical_query(&self.params);
        let mut headers: Vec<(&str, String)> = vec![
            ("host", host.clone()),
            ("x-acs-action", self.action.clone()),
            ("x-acs-version", self.version.clone()),
            ("x-acs-date", self.date.clone()),
            ("x-acs-signature-nonce", self.nonce.clone()),
            ("x-acs-content-sha256", EMPTY_SHA256.into()),
        ];
        if let Some(token) = &signer.sts_token {
            headers.push(("x-acs-security-token", token.clone()));
        }
        let to_sign: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(n, _)| !self.unsigned.iter().any(|u| u == n))
            .map(|(n, v)| (*n, v.as_str()))
            .collect();
        let (canonical, signed) =
            signing::canonical_request("POST", "/", &query, &to_sign, EMPTY_SHA256);
        let auth = Authorization {
            access_key_id: signer.key_id.clone(),
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signing::acs3_signature(
                &signer.secret,
                &signing::string_to_sign(&canonical),
            ),
        };
        let mut wire_query = if self.sdk_wire_query {
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&self.params)
                .finish()
        } else {
            query
        };
        if let Some((k, v)) = &self.tamper {
            wire_query.push_str(&format!("&{k}={v}"));
        }
        let mut request = reqwest::Client::new()
            .post(format!("{}/?{wire_query}", sandbox.base_url()))
            .header("authorization", auth.to_header())
            .body(self.body.clone());
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        Reply::read(request.send().await.unwrap()).await
    }

    /// The same call with the legacy HMAC-SHA1 signature in the query.
    pub async fn send_legacy(&self, sandbox: &Sandbox, signer: &Signer) -> Reply {
        let mut params = self.params.clone();
        for (k, v) in [
            ("Action", self.action.as_str()),
            ("Version", self.version.as_str()),
            ("Format", "JSON"),
            ("Timestamp", self.date.as_str()),
            ("SignatureNonce", self.nonce.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", signer.key_id.as_str()),
        ] {
            params.push((k.into(), v.into()));
        }
        if let Some(token) = &signer.sts_token {
            params.push(("SecurityToken".into(), token.clone()));
        }
        let string_to_sign = signing::legacy_string_to_sign("POST", &params);
        params.push((
            "Signature".into(),
            signing::legacy_signature(&signer.secret, &string_to_sign),
        ));
        if let Some(extra) = &self.tamper {
            params.push(extra.clone());
        }
        let query = signing::canonical_query(&params);
        let response = reqwest::Client::new()
            .post(format!("{}/?{query}", sandbox.base_url()))
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }
}

/// DingTalk calls of both generations.
pub struct Ding<'a> {
    pub sandbox: &'a Sandbox,
    pub http: reqwest::Client,
}

impl Ding<'_> {
    pub fn new(sandbox: &Sandbox) -> Ding<'_> {
        Ding {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub async fn gettoken_with(&self, key: &str, secret: &str) -> Reply {
        let response = self
            .http
            .get(self.url("/gettoken"))
            .query(&[("appkey", key), ("appsecret", secret)])
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// The demo app's token, by the legacy call.
    pub async fn token(&self) -> String {
        let reply = self.gettoken_with(DEMO_APP_KEY, DEMO_APP_SECRET).await;
        assert_eq!(reply.errcode(), 0, "{}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn oapi(&self, path: &str, token: &str, body: Value) -> Reply {
        let response = self
            .http
            .post(self.url(path))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    pub async fn oapi_get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Reply {
        let response = self
            .http
            .get(self.url(path))
            .query(&[("access_token", token)])
            .query(query)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// A legacy call that must succeed.
    pub async fn oapi_ok(&self, path: &str, token: &str, body: Value) -> Value {
        let reply = self.oapi(path, token, body).await;
        assert_eq!(reply.errcode(), 0, "{path}: {}", reply.body);
        reply.body
    }

    pub async fn api(&self, path: &str, token: &str, body: Value) -> Reply {
        let response = self
            .http
            .post(self.url(path))
            .header("x-acs-dingtalk-access-token", token)
            .json(&body)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// A new-API call that must succeed.
    pub async fn api_ok(&self, path: &str, token: &str, body: Value) -> Value {
        let reply = self.api(path, token, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        reply.body
    }
}

pub fn users(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|n| format!("user{n:04}")).collect()
}
