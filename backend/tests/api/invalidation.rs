//! Sessions and credentials are cached for the hot read path; every change
//! through the API applies to the very next request, on both engines:
//! sign-out, a disabled user, a new role, a reset or changed password, an
//! updated or deleted Alibaba Cloud account. Each session and account is
//! used once before the change, so it is in the cache when it changes.

use crate::support::{PASSWORD, Server, Signed};
use axum::http::{Method, StatusCode};
use backend::db::Backend;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use serde_json::json;

async fn status(server: &Server, method: Method, path: &str, who: &Signed) -> StatusCode {
    server.send(method, path, Some(who), None).await.status
}

async fn user_id(server: &Server, admin: &Signed, username: &str) -> String {
    let users = server.send(Method::GET, "/users", Some(admin), None).await;
    users
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_signed_out_session_is_refused_at_once() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let who = server.sign_in("auditor").await;
        assert_eq!(
            status(&server, Method::GET, "/session", &who).await,
            StatusCode::OK
        );
        let out = server
            .send(Method::DELETE, "/session", Some(&who), None)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(
            status(&server, Method::GET, "/session", &who).await,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_once_and_a_new_role_applies_at_once() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let admin = server.sign_in("admin").await;
        let auditor = server.sign_in("auditor").await;
        let id = user_id(&server, &admin, "auditor").await;
        assert_eq!(
            status(&server, Method::GET, "/users", &auditor).await,
            StatusCode::OK
        );

        let patch = |body: serde_json::Value| {
            let (server, admin, path) = (&server, &admin, format!("/users/{id}"));
            async move {
                let reply = server
                    .send(Method::PATCH, &path, Some(admin), Some(&body.to_string()))
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
            }
        };
        patch(json!({ "role": "helpdesk" })).await;
        assert_eq!(
            status(&server, Method::GET, "/users", &auditor).await,
            StatusCode::FORBIDDEN,
            "{backend:?}: the old role's permission"
        );
        let me = server
            .send(Method::GET, "/session", Some(&auditor), None)
            .await;
        assert_eq!(me.body["user"]["role"], "helpdesk", "{}", me.raw);

        patch(json!({ "disabled": true })).await;
        assert_eq!(
            status(&server, Method::GET, "/session", &auditor).await,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: a disabled user's session"
        );
    }
}

#[tokio::test]
async fn password_changes_end_the_other_sessions_at_once() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let admin = server.sign_in("admin").await;
        let id = user_id(&server, &admin, "helpdesk").await;

        // An admin's reset ends every session of the user.
        let helpdesk = server.sign_in("helpdesk").await;
        assert_eq!(
            status(&server, Method::GET, "/session", &helpdesk).await,
            StatusCode::OK
        );
        let reset = json!({ "password": "another long password" }).to_string();
        let reply = server
            .send(
                Method::POST,
                &format!("/users/{id}/password"),
                Some(&admin),
                Some(&reset),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.raw);
        assert_eq!(
            status(&server, Method::GET, "/session", &helpdesk).await,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: after a reset"
        );

        // One's own change keeps the session it was made in, ends the others.
        let here = server
            .sign_in_with("helpdesk", "another long password")
            .await;
        let there = server
            .sign_in_with("helpdesk", "another long password")
            .await;
        for who in [&here, &there] {
            assert_eq!(
                status(&server, Method::GET, "/session", who).await,
                StatusCode::OK
            );
        }
        let change = json!({
            "current_password": "another long password",
            "new_password": PASSWORD,
        })
        .to_string();
        let reply = server
            .send(Method::POST, "/me/password", Some(&here), Some(&change))
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.raw);
        assert_eq!(
            status(&server, Method::GET, "/session", &here).await,
            StatusCode::OK
        );
        assert_eq!(
            status(&server, Method::GET, "/session", &there).await,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: the other session after an own change"
        );
    }
}

#[tokio::test]
async fn an_updated_or_deleted_account_is_used_at_once() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let admin = server.sign_in("admin").await;
        let account = |secret: &str| {
            json!({
                "name": "cached account",
                "access_key_id": DEMO_ACCESS_KEY_ID,
                "access_key_secret": secret,
                "regions": ["cn-hangzhou"],
            })
            .to_string()
        };
        let created = server
            .send(
                Method::POST,
                "/credentials/alibaba",
                Some(&admin),
                Some(&account(DEMO_ACCESS_KEY_SECRET)),
            )
            .await;
        assert!(created.status.is_success(), "{}", created.raw);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let config = format!("/chat-configs/{id}/cn-hangzhou/chatops-dingtalk");
        assert_eq!(
            status(&server, Method::GET, &config, &admin).await,
            StatusCode::OK
        );

        // A wrong secret: the sandbox refuses the signature at once.
        let item = format!("/credentials/alibaba/{id}");
        let wrong = account("NotTheSandboxSecret0123456789");
        let updated = server
            .send(Method::PUT, &item, Some(&admin), Some(&wrong))
            .await;
        assert!(updated.status.is_success(), "{}", updated.raw);
        let refused = server.send(Method::GET, &config, Some(&admin), None).await;
        assert!(
            !refused.status.is_success(),
            "{backend:?}: the old secret was used: {}",
            refused.raw
        );

        // The right one again works at once.
        let right = account(DEMO_ACCESS_KEY_SECRET);
        let updated = server
            .send(Method::PUT, &item, Some(&admin), Some(&right))
            .await;
        assert!(updated.status.is_success(), "{}", updated.raw);
        assert_eq!(
            status(&server, Method::GET, &config, &admin).await,
            StatusCode::OK
        );

        let deleted = server.send(Method::DELETE, &item, Some(&admin), None).await;
        assert!(deleted.status.is_success(), "{}", deleted.raw);
        assert_eq!(
            status(&server, Method::GET, &config, &admin).await,
            StatusCode::NOT_FOUND,
            "{backend:?}: a deleted account"
        );
    }
}
