//! An area's change history is audit data: it follows the audit
//! permission, and it shows one entry per change, like the audit list.

use crate::support::Server;
use axum::http::{Method, StatusCode};
use backend::audit::{self, Actor, AuditAction, Change, Target, TargetKind, diff};
use backend::db::Backend;
use backend::upstream::Receipt;
use serde_json::json;
use shared::auth::{Action, Role, allows};

const PATH: &str = "/chat-configs/acct-1/cn-hangzhou/ops-bot/history";

#[tokio::test]
async fn only_roles_with_the_audit_permission_read_a_history() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let db = server.db.db.clone();
        let target = Target::new(
            TargetKind::ChatConfig,
            "acct-1/cn-hangzhou/ops-bot",
            "ops-bot (cn-hangzhou)",
        );
        let change = Change::new(AuditAction::ChatConfigUpdate, target).with_changes(diff(
            &json!({"template_id": "t1"}),
            &json!({"template_id": "t2"}),
            &[],
        ));
        audit::upstream_change(&db, Actor::cli(), change, async {
            Ok(Receipt {
                value: (),
                request_id: Some("REQ-H".into()),
                created_id: None,
            })
        })
        .await
        .unwrap()
        .unwrap();

        for role in Role::ALL {
            let username = match role {
                Role::Admin => "admin",
                Role::Helpdesk => "helpdesk",
                Role::Auditor => "auditor",
            };
            let who = server.sign_in(username).await;
            let reply = server.send(Method::GET, PATH, Some(&who), None).await;
            if !allows(role, Action::AuditRead) {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role:?}: {}",
                    reply.raw
                );
                assert!(!reply.raw.contains("REQ-H"), "{}", reply.raw);
                continue;
            }
            assert_eq!(reply.status, StatusCode::OK, "{role:?}: {}", reply.raw);
            // The intent and its outcome are one entry: the diff, the
            // outcome and the upstream's RequestId together.
            let entries = reply.body.as_array().unwrap();
            assert_eq!(entries.len(), 1, "{backend:?}: {}", reply.raw);
            let entry = &entries[0];
            assert_eq!(entry["action"], "chat_config.update");
            assert_eq!(entry["outcome"], "success");
            assert_eq!(entry["request_id"], "REQ-H");
            assert_eq!(entry["target"]["label"], "ops-bot (cn-hangzhou)");
            assert_eq!(entry["changes"][0]["field"], "template_id");
            assert_eq!(entry["changes"][0]["after"], "\"t2\"");
        }
    }
}
