//! The answers the console reads without serde (`frontend::wire`) come
//! back exactly as the server's serde encoder wrote them: every problem
//! kind, every outcome status, a session, a plan's changes and a draft.

use frontend::json::Json;
use frontend::ui::Values;
use frontend::ui::form::Value;
use frontend::wire::FromJson;
use shared::api::{ErrorBody, Meta};
use shared::audit::{FieldChange, SecretChange};
use shared::auth::{Action, Role, SessionInfo, User, permissions};
use shared::outcome::{ItemOutcome, ItemStatus};
use shared::validate::Problem;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `value` as the server sends it, parsed by the browser, read back.
fn round_trip<T: serde::Serialize + FromJson>(value: &T) -> Option<T> {
    let text = serde_json::to_string(value).unwrap();
    T::from_json(&Json::new(js_sys::JSON::parse(&text).unwrap()))
}

fn error(problem: Option<Problem>) -> ErrorBody {
    ErrorBody {
        code: "invalid_field".into(),
        message: "owner: ambiguous".into(),
        field: problem.map(|_| "owner".into()),
        problem,
        request_id: Some("4C3F-REQ".into()),
        trace_id: None,
    }
}

#[wasm_bindgen_test]
fn every_problem_and_error_body_reads_as_sent() {
    for p in Problem::EXAMPLES {
        assert_eq!(round_trip(&p), Some(p), "{p:?}");
        let body = error(Some(p));
        assert_eq!(round_trip(&body), Some(body));
    }
    let bare = error(None);
    assert_eq!(round_trip(&bare), Some(bare));
    // Not an error body: no code.
    let parsed = js_sys::JSON::parse(r#"{"message": "x"}"#).unwrap();
    assert_eq!(ErrorBody::from_json(&Json::new(parsed)), None);
}

#[wasm_bindgen_test]
fn outcomes_changes_and_the_session_read_as_sent() {
    let outcomes = vec![
        ItemOutcome {
            id: "u1".into(),
            name: Some("林洋".into()),
            status: ItemStatus::Done {
                request_id: Some("R1".into()),
            },
        },
        ItemOutcome {
            id: "u2".into(),
            name: None,
            status: ItemStatus::Unchanged,
        },
        ItemOutcome {
            id: "u3".into(),
            name: None,
            status: ItemStatus::Failed {
                error: error(Some(Problem::NotMember)),
            },
        },
    ];
    assert_eq!(round_trip(&outcomes), Some(outcomes));
    // A failure without its error is not an outcome the console can show.
    let broken = js_sys::JSON::parse(r#"[{"id": "u4", "status": "failed"}]"#).unwrap();
    assert_eq!(Vec::<ItemOutcome>::from_json(&Json::new(broken)), None);

    let changes = vec![
        FieldChange {
            field: "name".into(),
            before: Some("\"值班\"".into()),
            after: Some("\"值班告警\"".into()),
            secret: None,
        },
        FieldChange {
            field: "app_secret".into(),
            before: None,
            after: None,
            secret: Some(SecretChange::Changed),
        },
    ];
    assert_eq!(round_trip(&changes), Some(changes));

    for role in Role::ALL {
        let session = SessionInfo {
            user: User {
                id: "7".into(),
                username: "help".into(),
                role,
                disabled: false,
                created_at: 1_764_650_000_000,
            },
            csrf_token: "csrf".into(),
            permissions: permissions(role),
        };
        assert_eq!(round_trip(&session), Some(session));
    }
    let meta = Meta {
        version: "0.1.0".into(),
        sandbox: true,
    };
    assert_eq!(round_trip(&meta), Some(meta));
    assert!(permissions(Role::Helpdesk).contains(&Action::GroupsWrite));
}

#[wasm_bindgen_test]
fn a_draft_reads_back_as_it_was_saved() {
    let draft = Values::default()
        .with("name", Value::Text("值班告警".into()))
        .with("enabled", Value::Bool(true))
        .with(
            "labels",
            Value::Pairs(vec![
                ("env".into(), "prod".into()),
                ("team".into(), String::new()),
            ]),
        );
    assert_eq!(round_trip(&draft), Some(draft));
}
