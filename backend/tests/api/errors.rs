//! The error contract of `/api/v1`, over the route table: every route
//! answers a bad path parameter, a bad query, a bad body and a method it
//! does not have with the JSON error body (`code`, `trace_id`), never a 5xx
//! or plain text; unknown fields are refused by their JSON path in every
//! area; a throttled upstream's wait is honoured within the budget and
//! passed on beyond it; and a bounded property test throws arbitrary
//! requests at the router.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::support::*;
use axum::http::{Method, StatusCode, header};
use backend::api::routes;
use backend::db::Backend;
use backend::sandbox::{Fault, Sandbox};
use serde_json::{Value, json};

/// A value that parses for each path parameter of the table.
fn plausible(param: &str) -> &'static str {
    match param {
        "region_id" => "cn-hangzhou",
        "name" => "bot",
        "id" => "1",
        _ => "acc",
    }
}

/// `path` with each `{param}` replaced by `fill(param)`.
fn concrete(path: &str, mut fill: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("a closed parameter") + start;
        out.push_str(&rest[..start]);
        out.push_str(&fill(&rest[start + 1..end]));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Asserts the JSON error contract on `reply`, `what` naming the case.
fn assert_error_json(reply: &Reply, what: &str) {
    assert!(
        reply.status.is_client_error(),
        "{what}: {} {}",
        reply.status,
        reply.raw
    );
    let content_type = reply.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {content_type}"
    );
    assert!(reply.body["code"].is_string(), "{what}: {}", reply.raw);
    assert!(reply.body["trace_id"].is_string(), "{what}: {}", reply.raw);
}

/// Every change but the connection and message tests and marking a
/// default reads a body.
fn takes_body(method: &Method, path: &str) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
        && !path.ends_with("/test")
        && !path.ends_with("/default")
}

#[tokio::test]
async fn every_route_answers_bad_requests_with_the_json_error() {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let table = routes();
    let mut allowed: HashMap<&str, Vec<Method>> = HashMap::new();
    for r in &table {
        allowed.entry(r.path).or_default().push(r.method.clone());
    }
    for r in &table {
        let name = format!("{} {}", r.method, r.path);
        let good_path = concrete(r.path, |p| plausible(p).to_owned());

        if r.path.contains('{') {
            let bad = concrete(r.path, |_| "%FF".to_owned());
            let reply = s
                .send(r.method.clone(), &bad, Some(&admin), Some("{}"))
                .await;
            assert_error_json(&reply, &format!("{name} with %FF"));
            assert_eq!(reply.body["problem"]["kind"], "format", "{name}");
        }

        let query = format!("{good_path}?page=1&page=2&x=%FF");
        let reply = s
            .send(r.method.clone(), &query, Some(&admin), Some("{}"))
            .await;
        assert_error_json(&reply, &format!("{name} with a bad query"));

        if takes_body(&r.method, r.path) {
            for body in [r#"{"no_such_field_anywhere": 1}"#, "[1, 2", "7"] {
                let reply = s
                    .send(r.method.clone(), &good_path, Some(&admin), Some(body))
                    .await;
                assert_error_json(&reply, &format!("{name} with body {body}"));
            }
        }

        let methods = &allowed[r.path];
        let wrong = [Method::PATCH, Method::PUT, Method::DELETE, Method::POST]
            .into_iter()
            .find(|m| !methods.contains(m))
            .expect("no route has every method");
        let reply = s.send(wrong.clone(), &good_path, Some(&admin), None).await;
        assert_error_json(&reply, &format!("{wrong} {}", r.path));
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{name}");
        assert_eq!(reply.body["code"], "method_not_allowed");
        let allow = reply.headers[header::ALLOW].to_str().unwrap();
        for m in methods {
            assert!(allow.contains(m.as_str()), "{name}: Allow {allow}");
        }
    }
    let reply = s
        .send(Method::GET, "/no/such/route", Some(&admin), None)
        .await;
    assert_error_json(&reply, "an unknown route");
    assert_eq!(reply.body["code"], "route_not_found");
}

#[tokio::test]
async fn rejections_name_the_value_and_echo_a_few_dozen_characters() {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let cases = [
        (
            Method::POST,
            "/robots/acc/not-a-number/preview",
            "id",
            "format",
        ),
        (Method::GET, "/chat-configs?type=Bogus", "type", "unknown"),
        (
            Method::GET,
            "/chat-configs?name=a&name=b",
            "name",
            "duplicate",
        ),
        (Method::GET, "/audit/events?limit=x", "limit", "format"),
        (
            Method::GET,
            "/audit/events?actr=bob",
            "actr",
            "unknown_field",
        ),
        (Method::GET, "/groups?offst=2", "offst", "unknown_field"),
    ];
    for (method, path, field, problem) in cases {
        let reply = s.send(method, path, Some(&admin), Some("{}")).await;
        assert_error_json(&reply, path);
        assert_eq!(reply.body["field"], field, "{path}: {}", reply.raw);
        assert_eq!(reply.body["problem"]["kind"], problem, "{path}");
    }
    // Wrong JSON types are a field error with its path, not a bare 400.
    let reply = s
        .send(
            Method::POST,
            "/users",
            Some(&admin),
            Some(r#"{"username": "x", "role": "admin", "password": 7}"#),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(reply.body["field"], "password");
    assert_eq!(reply.body["problem"]["kind"], "format");

    let long = "x".repeat(60_000);
    for (method, path, body) in [
        (
            Method::POST,
            "/users".to_owned(),
            json!({ "username": long, "role": "admin", "password": 7 }),
        ),
        (
            Method::POST,
            "/users".to_owned(),
            json!({ long.clone(): 1 }),
        ),
        (
            Method::GET,
            format!("/chat-configs?type={long}"),
            Value::Null,
        ),
        (Method::GET, format!("/groups/{long}"), Value::Null),
    ] {
        let body = (method != Method::GET).then(|| body.to_string());
        let reply = s.send(method, &path, Some(&admin), body.as_deref()).await;
        assert!(reply.raw.len() < 1_000, "{} bytes back", reply.raw.len());
    }
}

fn sandbox(s: &Server) -> &Sandbox {
    s.app.sandbox().expect("the built-in sandbox")
}

/// The first demo group of the catalogue, and its name.
async fn first_group(s: &Server, who: &Signed) -> (String, String) {
    let page = s.send(Method::GET, "/groups", Some(who), None).await;
    let group = &page.body["groups"][0];
    (
        group["id"].as_str().unwrap().to_owned(),
        group["name"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn unknown_fields_are_refused_by_name_in_every_area() {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let state = s.app.state();
    let account = state.vault.list_alibaba().await.unwrap().remove(0).id;
    let (group, name) = first_group(&s, &admin).await;
    let group_path = format!("/groups/{group}");
    let cases = [
        (
            Method::PATCH,
            group_path.clone(),
            json!({"name": "renamed", "settings": {"searchabel": true}}),
            "settings.searchabel",
        ),
        (
            Method::POST,
            "/users".to_owned(),
            json!({"username": "u1", "role": "admin", "password": PASSWORD, "admin": true}),
            "admin",
        ),
        (
            Method::POST,
            "/credentials/alibaba".to_owned(),
            json!({"name": "a", "access_key_id": "k", "regionz": []}),
            "regionz",
        ),
        (
            Method::PUT,
            format!("/chat-configs/{account}/cn-hangzhou/bot"),
            json!({"configuration": {"DingTalk": {"client_id": "x", "clientsecret": "y"}}}),
            "configuration.DingTalk.clientsecret",
        ),
        (
            Method::POST,
            format!("/robots/{account}"),
            json!({"name": "r", "rules": [{"source": "s", "items": [], "extra": 1}]}),
            "rules[0].extra",
        ),
    ];
    for (method, path, body, field) in cases {
        let reply = s
            .send(method.clone(), &path, Some(&admin), Some(&body.to_string()))
            .await;
        assert_error_json(&reply, &path);
        assert_eq!(reply.body["field"], field, "{method} {path}: {}", reply.raw);
        assert_eq!(reply.body["problem"]["kind"], "unknown_field", "{path}");
    }
    // Nothing of the refused edit was applied: the name is as it was.
    let detail = s.send(Method::GET, &group_path, Some(&admin), None).await;
    assert_eq!(detail.body["group"]["name"], name, "{}", detail.raw);

    // A bad secret deep in a create is named by its whole path.
    let create = json!({
        "account_id": account,
        "region_id": "cn-hangzhou",
        "name": "pathbot",
        "fields": {"configuration": {"DingTalk": {
            "client_id": "dingabc",
            "client_secret": "bad\u{7}secret",
        }}},
    });
    let reply = s
        .send(
            Method::POST,
            "/chat-configs",
            Some(&admin),
            Some(&create.to_string()),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.raw
    );
    assert_eq!(
        reply.body["field"],
        "fields.configuration.DingTalk.client_secret"
    );
}

/// Renames the first demo group with `UpdateGroup` (or `chat/update`)
/// throttled once with a wait of `secs`.
async fn throttled_rename(api: shared::vault::DingTalkApi, secs: u64) -> (Reply, Duration) {
    let s = Server::start(Backend::Sqlite).await;
    let admin = s.sign_in("admin").await;
    let state = s.app.state();
    let app = state.vault.list_dingtalk().await.unwrap().remove(0);
    let input = shared::vault::DingTalkAppInput {
        name: app.name.clone(),
        app_key: app.app_key.clone(),
        app_secret: None,
        site: app.site,
        api,
    };
    state
        .vault
        .update_dingtalk(&backend::audit::Actor::cli(), &app.id, &input)
        .await
        .unwrap();
    let (group, _) = first_group(&s, &admin).await;
    let operation = match api {
        shared::vault::DingTalkApi::New => "UpdateGroup",
        shared::vault::DingTalkApi::Legacy => "chat/update",
    };
    sandbox(&s)
        .faults()
        .set(operation, Fault::throttle(secs).times(1));
    let started = Instant::now();
    let reply = s
        .send(
            Method::PATCH,
            &format!("/groups/{group}"),
            Some(&admin),
            Some(r#"{"name": "renamed"}"#),
        )
        .await;
    (reply, started.elapsed())
}

#[tokio::test]
async fn a_throttled_rename_waits_as_dingtalk_asks_within_the_budget() {
    for api in [
        shared::vault::DingTalkApi::New,
        shared::vault::DingTalkApi::Legacy,
    ] {
        let (reply, took) = throttled_rename(api, 2).await;
        assert_eq!(reply.status, StatusCode::OK, "{api:?}: {}", reply.raw);
        assert_eq!(reply.body["group"]["name"], "renamed");
        assert!(took >= Duration::from_secs(2), "{api:?} waited {took:?}");
    }
}

#[tokio::test]
async fn a_wait_beyond_the_budget_fails_fast_with_retry_after() {
    for api in [
        shared::vault::DingTalkApi::New,
        shared::vault::DingTalkApi::Legacy,
    ] {
        let (reply, took) = throttled_rename(api, 30).await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{api:?}: {}",
            reply.raw
        );
        assert_eq!(reply.headers[header::RETRY_AFTER], "30");
        assert_eq!(reply.body["code"], "upstream_throttled");
        let message = reply.body["message"].as_str().unwrap();
        assert!(message.contains("30 s"), "{message}");
        assert!(took < Duration::from_secs(2), "{api:?} took {took:?}");
    }
}

mod arbitrary {
    //! Arbitrary methods, paths (the table's, with arbitrary parameters),
    //! query strings and bodies against the router: no panic, no 5xx, and
    //! every error is the JSON body. Bounded to a few seconds.

    use axum::http::Method;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    use super::*;

    fn encoded(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(any::<u8>(), 0..max).prop_map(|bytes| {
            percent_encoding::percent_encode(&bytes, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "[a-z_ \u{4e00}-\u{4e10}%]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("settings".to_owned()),
                        Just("configuration".to_owned()),
                        Just("ids".to_owned()),
                        "[a-z_]{1,10}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            json_value().prop_map(|v| Some(v.to_string())),
            "[\\[\\]{}\",:a-z0-9 ]{0,40}".prop_map(Some),
        ]
    }

    #[derive(Debug, Clone)]
    struct Case {
        method: Method,
        path: String,
        body: Option<String>,
    }

    fn case(paths: Vec<&'static str>) -> impl Strategy<Value = Case> {
        let methods = prop_oneof![
            Just(Method::GET),
            Just(Method::POST),
            Just(Method::PUT),
            Just(Method::PATCH),
            Just(Method::DELETE),
        ];
        let query = proptest::collection::vec((encoded(8), encoded(12)), 0..4);
        (
            methods,
            proptest::sample::select(paths),
            proptest::collection::vec(encoded(16), 3),
            query,
            body(),
        )
            .prop_map(|(method, template, params, query, body)| {
                let mut i = 0;
                let path = concrete(template, |_| {
                    i += 1;
                    // An empty segment would be another route.
                    let p = &params[(i - 1) % params.len()];
                    if p.is_empty() {
                        "x".to_owned()
                    } else {
                        p.clone()
                    }
                });
                let query: Vec<String> =
                    query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
                let path = if query.is_empty() {
                    path
                } else {
                    format!("{path}?{}", query.join("&"))
                };
                Case { method, path, body }
            })
    }

    #[test]
    fn arbitrary_requests_never_panic_nor_5xx_and_errors_are_json() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (s, admin) = rt.block_on(async {
            let s = Server::start(Backend::Sqlite).await;
            let admin = s.sign_in("admin").await;
            (s, admin)
        });
        // The session's own routes would sign the admin out or change the
        // password the cases sign in with.
        let paths: Vec<&'static str> = routes()
            .iter()
            .map(|r| r.path)
            .filter(|p| !p.starts_with("/session") && !p.starts_with("/me"))
            .collect();
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        let started = Instant::now();
        runner
            .run(&case(paths), |c| {
                let reply =
                    rt.block_on(s.send(c.method.clone(), &c.path, Some(&admin), c.body.as_deref()));
                prop_assert!(
                    reply.status.as_u16() < 500,
                    "{c:?}: {} {}",
                    reply.status,
                    reply.raw
                );
                if !reply.status.is_success() {
                    prop_assert!(reply.body["code"].is_string(), "{c:?}: {}", reply.raw);
                    prop_assert!(reply.body["trace_id"].is_string(), "{c:?}: {}", reply.raw);
                }
                Ok(())
            })
            .unwrap();
        eprintln!("300 arbitrary requests in {:?}", started.elapsed());
    }
}
