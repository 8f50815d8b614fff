//! An in-process server with three users (admin, helpdesk, auditor, all
//! with [`PASSWORD`]) and requests made the way the console makes them.
//! Shared by the API test files; not every file uses every helper.

// Both binaries that scan the log share it.
#[path = "../../common/capture.rs"]
pub mod capture;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use backend::audit::Actor;
use backend::auth::users;
use backend::config::Config;
use backend::db::Backend;
use backend::server::{Application, router};
use backend::testing::TestDb;
use serde_json::{Value, json};
use shared::auth::Role;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:8080";
pub const ORIGIN: &str = "http://127.0.0.1:8080";
pub const PASSWORD: &str = "a long password";
/// The client address every request comes from.
pub const CLIENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)), 40000);

pub fn with_header(mut req: Request<Body>, name: &'static str, value: &str) -> Request<Body> {
    req.headers_mut()
        .insert(name, axum::http::HeaderValue::from_str(value).unwrap());
    req
}

pub struct Server {
    pub router: Router,
    pub db: TestDb,
    /// The built-in sandbox standing in for every upstream.
    pub sandbox_url: Option<String>,
    /// Keeps the built-in sandbox running (tests inject faults through it).
    pub app: Application,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub raw: String,
}

#[derive(Clone)]
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

impl Server {
    pub async fn start(backend: Backend) -> Server {
        Server::start_with(backend, |_| {}).await
    }

    /// A server whose configuration `configure` adjusts first (e.g. to
    /// point the upstreams at a sandbox the test holds).
    pub async fn start_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Server {
        let t = TestDb::fresh(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<html><head><script type=\"module\">boot()</script></head></html>",
        )
        .unwrap();
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            database_url: Some(t.url.clone()),
            dist_dir: dist,
            ..Config::default()
        };
        configure(&mut config);
        let app = Application::build(config).await.unwrap();
        let state = app.state().clone();
        for (name, role) in [("helpdesk", Role::Helpdesk), ("auditor", Role::Auditor)] {
            users::create(&state.db, &Actor::cli(), name, role, PASSWORD)
                .await
                .unwrap();
        }
        let first = app.first_admin_password().unwrap().to_owned();
        users::set_password(
            &state.db,
            &Actor::cli(),
            &users::by_username(&state.db, "admin").await.unwrap().id,
            PASSWORD,
        )
        .await
        .unwrap();
        assert_eq!(first.len(), 20);
        Server {
            sandbox_url: state.sandbox_url.clone(),
            app,
            router: router(state),
            db: t,
            _dir: dir,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        who: Option<&Signed>,
        body: Option<&str>,
    ) -> Reply {
        self.raw(self.request(method, path, who, body)).await
    }

    /// The request [`Self::send`] sends, to add to before sending it.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        who: Option<&Signed>,
        body: Option<&str>,
    ) -> Request<Body> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("/api/v1{path}"))
            .header(header::HOST, HOST);
        if method != Method::GET {
            req = req.header(header::ORIGIN, ORIGIN);
        }
        if let Some(who) = who {
            req = req
                .header(header::COOKIE, format!("__Host-chatdesk={}", who.cookie))
                .header("x-csrf-token", &who.csrf);
        }
        match body {
            Some(body) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned())),
            None => req.body(Body::empty()),
        }
        .unwrap()
    }

    /// Sends `req` as if from [`CLIENT`], as the server's listener would.
    pub async fn raw(&self, mut req: Request<Body>) -> Reply {
        req.extensions_mut().insert(ConnectInfo(CLIENT));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    pub async fn sign_in(&self, username: &str) -> Signed {
        self.sign_in_with(username, PASSWORD).await
    }

    pub async fn sign_in_with(&self, username: &str, password: &str) -> Signed {
        let body = json!({ "username": username, "password": password }).to_string();
        let reply = self.send(Method::POST, "/session", None, Some(&body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        let set_cookie = reply.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        let cookie = set_cookie
            .strip_prefix("__Host-chatdesk=")
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        Signed {
            cookie,
            csrf: reply.body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }
}
