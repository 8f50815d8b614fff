//! The one HTTP client every upstream call goes through, and the base URLs
//! it may call: only configured ones, never a URL a user typed.

use std::time::Duration;

use reqwest::header::HeaderMap;
use shared::ids::RegionId;
use url::Url;

use super::error::{ErrorKind, Service, UpstreamError};
use crate::config::{REGION_PLACEHOLDER, UpstreamConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// The whole call, from sending to the last byte of the answer.
    pub call: Duration,
}

impl Default for Timeouts {
    /// The official SDKs' values.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            call: Duration::from_secs(10),
        }
    }
}

/// A reqwest client with rustls, no redirects, no proxy from the
/// environment, and the given timeouts.
pub fn client(timeouts: Timeouts) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.call)
        .user_agent(concat!("chatdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend is compiled in")
}

/// An answer read in full, from the host that was asked.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

/// Reads `response`, refusing redirects and answers from another origin
/// than `asked`.
pub async fn read(
    service: Service,
    asked: &Url,
    response: reqwest::Response,
) -> Result<Answer, UpstreamError> {
    let status = response.status().as_u16();
    if response.url().origin() != asked.origin() {
        return Err(UpstreamError::protocol(
            service,
            status,
            format!(
                "answer came from {}, not {}",
                response.url().origin().ascii_serialization(),
                asked.origin().ascii_serialization()
            ),
        ));
    }
    if response.status().is_redirection() {
        let target = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| asked.join(l).ok())
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| "an unknown place".to_owned());
        return Err(UpstreamError::protocol(
            service,
            status,
            format!("redirect to {target} refused"),
        ));
    }
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| UpstreamError::transport(service, &e).status(status))?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// How long the upstream asked to wait before trying again: the standard
/// `Retry-After` (DingTalk) or Alibaba Cloud's `x-acs-retry-after`, in
/// seconds. Some services send milliseconds; no wait is hours long.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    ["x-acs-retry-after", "retry-after"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| if s > 3600.0 { s / 1000.0 } else { s })
        .map(Duration::from_secs_f64)
}

/// Whether a DingTalk app lives on the mainland or the international site
/// (the vault stores it; the clients pick hosts by it).
pub use shared::vault::DingTalkSite;

/// The base URLs of the four upstreams. OOS and Security Center URLs may
/// hold `{region}`; without it every region shares the one host (the
/// sandbox). DingTalk URLs are per site unless configured, when both sites
/// share the configured one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    oos: String,
    sas: String,
    dingtalk_api: [String; 2],
    dingtalk_oapi: [String; 2],
}

impl Endpoints {
    /// The real Alibaba Cloud and DingTalk hosts.
    pub fn official() -> Endpoints {
        Endpoints {
            oos: "https://oos.{region}.aliyuncs.com".into(),
            sas: "https://tds.{region}.aliyuncs.com".into(),
            dingtalk_api: [
                "https://api.dingtalk.com".into(),
                "https://api.dingtalk.io".into(),
            ],
            dingtalk_oapi: [
                "https://oapi.dingtalk.com".into(),
                "https://oapi.dingtalk.io".into(),
            ],
        }
    }

    /// The configured URLs, and `defaults` where none is configured (the
    /// official hosts, or the sandbox's). A configured DingTalk URL serves
    /// both sites.
    pub fn from_config(config: &UpstreamConfig, defaults: Endpoints) -> Endpoints {
        let site = |v: &Option<String>, d: [String; 2]| match v {
            Some(url) => [url.clone(), url.clone()],
            None => d,
        };
        Endpoints {
            oos: config.oos.clone().unwrap_or(defaults.oos),
            sas: config.sas.clone().unwrap_or(defaults.sas),
            dingtalk_api: site(&config.dingtalk_api, defaults.dingtalk_api),
            dingtalk_oapi: site(&config.dingtalk_oapi, defaults.dingtalk_oapi),
        }
    }

    /// Everything at one base URL (the sandbox, tests).
    pub fn single(base: &str) -> Endpoints {
        Endpoints {
            oos: base.to_owned(),
            sas: base.to_owned(),
            dingtalk_api: [base.to_owned(), base.to_owned()],
            dingtalk_oapi: [base.to_owned(), base.to_owned()],
        }
    }

    pub fn oos(&self, region: &RegionId) -> Result<Url, UpstreamError> {
        fill(Service::Oos, &self.oos, region.as_str())
    }

    pub fn sas(&self, region: &RegionId) -> Result<Url, UpstreamError> {
        let host_region = sas_host_region(region).ok_or_else(|| {
            UpstreamError::new(
                Service::Sas,
                ErrorKind::BadParameter {
                    field: Some("region_id".into()),
                },
                "UnsupportedRegion",
            )
            .message(format!("Security Center does not serve region {region}"))
        })?;
        fill(Service::Sas, &self.sas, host_region)
    }

    pub fn dingtalk_api(&self, site: DingTalkSite) -> Result<Url, UpstreamError> {
        fill(Service::DingTalk, &self.dingtalk_api[site as usize], "")
    }

    pub fn dingtalk_oapi(&self, site: DingTalkSite) -> Result<Url, UpstreamError> {
        fill(Service::DingTalk, &self.dingtalk_oapi[site as usize], "")
    }
}

/// The region whose Security Center host serves `region`.
pub fn sas_host_region(region: &RegionId) -> Option<&'static str> {
    let r = region.as_str();
    if r.starts_with("cn-") {
        Some("cn-shanghai")
    } else if ["ap-", "eu-", "us-", "me-"]
        .iter()
        .any(|p| r.starts_with(p))
    {
        Some("ap-southeast-1")
    } else {
        None
    }
}

/// `template` with `{region}` filled, as a URL. The region is a parsed
/// [`RegionId`] (letters, digits, '-'), so it cannot change the host's shape.
fn fill(service: Service, template: &str, region: &str) -> Result<Url, UpstreamError> {
    let url = template.replace(REGION_PLACEHOLDER, region);
    Url::parse(&url).map_err(|e| {
        UpstreamError::new(service, ErrorKind::Protocol, "BadBaseUrl")
            .message(format!("configured base URL is invalid: {e}"))
    })
}

/// The `host` header value for `url` (with the port when not the default).
pub fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(r: &str) -> RegionId {
        RegionId::parse(r).unwrap()
    }

    #[test]
    fn official_hosts_follow_the_region_rules() {
        let e = Endpoints::official();
        assert_eq!(
            e.oos(&region("cn-hangzhou")).unwrap().as_str(),
            "https://oos.cn-hangzhou.aliyuncs.com/"
        );
        for (r, host) in [
            ("cn-hangzhou", "tds.cn-shanghai.aliyuncs.com"),
            ("cn-beijing", "tds.cn-shanghai.aliyuncs.com"),
            ("ap-southeast-1", "tds.ap-southeast-1.aliyuncs.com"),
            ("eu-central-1", "tds.ap-southeast-1.aliyuncs.com"),
            ("us-west-1", "tds.ap-southeast-1.aliyuncs.com"),
            ("me-east-1", "tds.ap-southeast-1.aliyuncs.com"),
        ] {
            assert_eq!(e.sas(&region(r)).unwrap().host_str(), Some(host), "{r}");
        }
        let err = e.sas(&region("xx-1")).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::BadParameter {
                field: Some("region_id".into())
            }
        );
        assert_eq!(
            e.dingtalk_api(DingTalkSite::International)
                .unwrap()
                .host_str(),
            Some("api.dingtalk.io")
        );
        assert_eq!(
            e.dingtalk_oapi(DingTalkSite::Mainland).unwrap().host_str(),
            Some("oapi.dingtalk.com")
        );
    }

    #[test]
    fn one_configured_host_serves_every_region_and_site() {
        let e = Endpoints::single("http://127.0.0.1:9000");
        for r in ["cn-hangzhou", "ap-southeast-1"] {
            assert_eq!(
                e.oos(&region(r)).unwrap().as_str(),
                "http://127.0.0.1:9000/"
            );
            assert_eq!(
                e.sas(&region(r)).unwrap().as_str(),
                "http://127.0.0.1:9000/"
            );
        }
        assert_eq!(
            e.dingtalk_api(DingTalkSite::International).unwrap(),
            e.dingtalk_oapi(DingTalkSite::Mainland).unwrap()
        );
        assert_eq!(
            host_header(&e.oos(&region("cn-hangzhou")).unwrap()),
            "127.0.0.1:9000"
        );
        assert_eq!(
            host_header(&Endpoints::official().oos(&region("cn-hangzhou")).unwrap()),
            "oos.cn-hangzhou.aliyuncs.com"
        );
    }

    #[test]
    fn retry_after_is_read_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert("x-acs-retry-after", "2.5".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(2500)));
        headers.insert("x-acs-retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn configured_templates_mix_with_the_fallback() {
        let config = UpstreamConfig {
            oos: Some("https://oos.{region}.example.test".into()),
            ..UpstreamConfig::default()
        };
        let e = Endpoints::from_config(&config, Endpoints::single("http://127.0.0.1:1"));
        assert_eq!(
            e.oos(&region("cn-shanghai")).unwrap().host_str(),
            Some("oos.cn-shanghai.example.test")
        );
        assert_eq!(
            e.sas(&region("cn-shanghai")).unwrap().as_str(),
            "http://127.0.0.1:1/"
        );
        let real = Endpoints::from_config(&config, Endpoints::official());
        assert_eq!(real.oos, "https://oos.{region}.example.test");
        assert_eq!(real.sas, Endpoints::official().sas);
    }
}
