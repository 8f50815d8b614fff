//! The audit trail's storage on SQLite and PostgreSQL: appends, filters,
//! keyset paging, the hash chain under tampering and concurrency, rollback
//! of actions whose event cannot be written, secrets, upstream intents and
//! streamed exports.

use std::net::IpAddr;

use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind, diff, export_stream};
use backend::db::testing::TestDb;
use backend::db::{Backend, Db, new_id, now_ms};
use backend::upstream::Receipt;
use backend::upstream::error::{ErrorKind, Service, UpstreamError};
use futures_util::TryStreamExt;
use serde_json::json;
use shared::audit::{AuditEvent, EventFilter, ExportFormat, Outcome, OutcomeFilter};

fn actor(name: &str) -> Actor {
    Actor {
        user_id: Some(format!("id-{name}")),
        username: name.to_owned(),
        role: "admin".to_owned(),
        source: Some("192.0.2.7".parse::<IpAddr>().unwrap()),
    }
}

fn robot(i: usize) -> Target {
    Target::new(TargetKind::Robot, format!("r{i}"), format!("robot {i}"))
}

/// Appends `n` events, built by `make(i)`, at times `base + i` seconds.
async fn seed(db: &Db, n: usize, base: i64, make: impl Fn(usize) -> NewEvent) {
    let events: Vec<(i64, NewEvent)> = (0..n).map(|i| (base + i as i64 * 1000, make(i))).collect();
    let mut tx = db.pool().begin().await.unwrap();
    audit::append_at(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
}

fn mixed(i: usize) -> NewEvent {
    let who = ["alice", "bob", "carol"][i % 3];
    let action = [
        AuditAction::RobotUpdate,
        AuditAction::GroupCreate,
        AuditAction::SignIn,
        AuditAction::ChatConfigDelete,
    ][i % 4];
    let event = NewEvent::success(actor(who), action, robot(i % 5));
    if i.is_multiple_of(7) {
        event.failed("Throttling", "too many requests")
    } else {
        event
    }
}

async fn all(db: &Db, filter: EventFilter) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    let mut filter = EventFilter {
        limit: Some(7),
        ..filter
    };
    loop {
        let page = audit::query(db, &filter).await.unwrap();
        assert!(page.events.len() <= 7);
        out.extend(page.events);
        match page.next_cursor {
            Some(c) => filter.before = Some(c),
            None => return out,
        }
    }
}

fn seqs(events: &[AuditEvent]) -> Vec<i64> {
    events.iter().map(|e| e.seq).collect()
}

#[tokio::test]
async fn append_query_filters_and_keyset_paging() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let base = 1_700_000_000_000;
        seed(&t.db, 100, base, mixed).await;

        // Every event, newest first, across pages of 7 without gaps.
        let every = all(&t.db, EventFilter::default()).await;
        assert_eq!(
            seqs(&every),
            (1..=100).rev().collect::<Vec<_>>(),
            "{backend:?}"
        );
        let e = every.iter().find(|e| e.seq == 29).unwrap();
        assert_eq!(e.actor, "bob");
        assert_eq!(e.actor_id.as_deref(), Some("id-bob"));
        assert_eq!(e.role, "admin");
        assert_eq!(e.source.as_deref(), Some("192.0.2.7"));
        assert_eq!(e.action, "robot.update");
        assert_eq!(e.target.kind, "robot");
        assert_eq!(e.target.id.as_deref(), Some("r3"));
        assert_eq!(e.at, base + 28_000);
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.error_code.as_deref(), Some("Throttling"));

        let expect = |pred: &dyn Fn(usize) -> bool| -> Vec<i64> {
            (0..100)
                .rev()
                .filter(|i| pred(*i))
                .map(|i| i as i64 + 1)
                .collect()
        };
        let by_actor = all(
            &t.db,
            EventFilter {
                actor: Some("carol".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&by_actor), expect(&|i| i % 3 == 2), "{backend:?}");
        let by_action = all(
            &t.db,
            EventFilter {
                action: Some("sign_in".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(by_action.is_empty());
        let by_action = all(
            &t.db,
            EventFilter {
                action: Some("session.sign_in".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&by_action), expect(&|i| i % 4 == 2));
        let by_target_id = all(
            &t.db,
            EventFilter {
                target: Some("r3".into()),
                ..Default::default()
            },
        )
        .await;
        let by_target_label = all(
            &t.db,
            EventFilter {
                target: Some("robot 3".into()),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&by_target_id), expect(&|i| i % 5 == 3));
        assert_eq!(by_target_id, by_target_label);
        let failures = all(
            &t.db,
            EventFilter {
                outcome: Some(OutcomeFilter::Failure),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&failures), expect(&|i| i % 7 == 0));
        // from inclusive, to exclusive.
        let range = all(
            &t.db,
            EventFilter {
                from: Some(base + 10_000),
                to: Some(base + 20_000),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&range), expect(&|i| (10..20).contains(&i)));
        let combined = all(
            &t.db,
            EventFilter {
                actor: Some("alice".into()),
                action: Some("robot.update".into()),
                outcome: Some(OutcomeFilter::Success),
                from: Some(base),
                to: Some(base + 50_000),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            seqs(&combined),
            expect(&|i| i % 12 == 0 && i % 7 != 0 && i < 50)
        );
        let empty_range = all(
            &t.db,
            EventFilter {
                from: Some(base + 1_000_000),
                ..Default::default()
            },
        )
        .await;
        assert!(empty_range.is_empty());
        let before_all = all(
            &t.db,
            EventFilter {
                to: Some(base),
                ..Default::default()
            },
        )
        .await;
        assert!(before_all.is_empty());

        // The last page has no cursor; an exact fit does not promise more.
        let page = audit::query(
            &t.db,
            &EventFilter {
                limit: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((page.events.len(), page.next_cursor), (100, None));
        let page = audit::query(
            &t.db,
            &EventFilter {
                limit: Some(99),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.next_cursor, Some(2));
    }
}

#[tokio::test]
async fn appends_one_at_a_time_chain_and_never_go_back_in_time() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let mut ids = Vec::new();
        for i in 0..3 {
            let mut tx = t.db.pool().begin().await.unwrap();
            ids.push(audit::append(&mut tx, &mixed(i)).await.unwrap());
            tx.commit().await.unwrap();
        }
        assert_eq!(ids, vec![1, 2, 3]);
        // An import with a time before the last event is clamped forward.
        let mut tx = t.db.pool().begin().await.unwrap();
        audit::append_at(&mut tx, &[(0, mixed(3))]).await.unwrap();
        tx.commit().await.unwrap();
        let events = all(&t.db, EventFilter::default()).await;
        assert!(events[0].at >= events[1].at && events[0].at > 0);
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!((report.checked, report.head_seq), (4, 4), "{backend:?}");
        assert!(report.is_valid(), "{report:?}");
    }
}

#[tokio::test]
async fn verify_finds_the_first_edited_or_deleted_event() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!((report.checked, report.first_broken.clone()), (0, None));
        seed(&t.db, 20, now_ms(), mixed).await;
        assert!(audit::verify(&t.db).await.unwrap().is_valid());

        let sql = |s: &'static str| sqlx::query(s).execute(t.db.pool());
        sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 12")
            .await
            .unwrap();
        sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 15")
            .await
            .unwrap();
        let report = audit::verify(&t.db).await.unwrap();
        let broken = report.first_broken.unwrap();
        assert_eq!(broken.seq, 12, "{backend:?}: {broken:?}");
        assert!(broken.reason.contains("edited"), "{}", broken.reason);
        // Every stored event is read, and every problem listed.
        assert_eq!(report.checked, 20);
        let bad: Vec<_> = report.problems.iter().map(|p| p.seq).collect();
        assert_eq!(bad, [12, 15], "{backend:?}");

        // A deletion before the edit is now the first broken link.
        sql("DELETE FROM audit_events WHERE seq = 5").await.unwrap();
        let broken = audit::verify(&t.db).await.unwrap().first_broken.unwrap();
        assert_eq!(broken.seq, 5, "{backend:?}: {broken:?}");
        assert!(broken.reason.contains("missing"), "{}", broken.reason);
    }
}

#[tokio::test]
async fn verify_finds_deleted_tail_and_relinked_events() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        seed(&t.db, 10, now_ms(), mixed).await;
        sqlx::query("DELETE FROM audit_events WHERE seq >= 9")
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(report.first_broken.unwrap().seq, 9, "{backend:?}");
        assert_eq!(report.checked, 8);

        // Renumbering after a deletion and rehashing that one event still
        // breaks the link to its successor.
        let t = TestDb::fresh(backend).await;
        seed(&t.db, 10, now_ms(), mixed).await;
        sqlx::query("UPDATE audit_events SET prev_hash = hash WHERE seq = 4")
            .execute(t.db.pool())
            .await
            .unwrap();
        let broken = audit::verify(&t.db).await.unwrap().first_broken.unwrap();
        assert_eq!(broken.seq, 4);
        assert!(broken.reason.contains("edited"), "{}", broken.reason);
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_linear_chain() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let mut tx = db.pool().begin().await.unwrap();
                    let id = audit::append(&mut tx, &mixed(i)).await.unwrap();
                    tx.commit().await.unwrap();
                    id
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap());
        }
        ids.sort_unstable();
        assert_eq!(ids, (1..=50).collect::<Vec<_>>(), "{backend:?}");
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(report.checked, 50);
        assert!(report.is_valid(), "{backend:?}: {report:?}");
    }
}

/// A console-side action as the other modules write it: the change and its
/// event in one transaction, the event's error failing the action.
async fn create_user_audited(db: &Db, username: &str) -> anyhow::Result<()> {
    let mut tx = db.pool().begin().await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, created_at, updated_at) \
         VALUES ($1, $2, 'h', 'helpdesk', 0, 0)",
    )
    .bind(&id)
    .bind(username)
    .execute(&mut *tx)
    .await?;
    let changes = diff(
        &serde_json::Value::Null,
        &json!({"username": username, "role": "helpdesk", "password": "pw"}),
        &[],
    );
    let event = NewEvent::success(
        actor("alice"),
        AuditAction::UserCreate,
        Target::new(TargetKind::User, id, username),
    )
    .with_changes(changes);
    audit::append(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

async fn user_count(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_action_whose_event_cannot_be_written_fails_and_rolls_back() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        create_user_audited(&t.db, "first").await.unwrap();
        assert_eq!(user_count(&t.db).await, 1);

        sqlx::query("ALTER TABLE audit_events RENAME TO audit_events_away")
            .execute(t.db.pool())
            .await
            .unwrap();
        let err = create_user_audited(&t.db, "second").await.unwrap_err();
        assert!(err.to_string().contains("audit"), "{backend:?}: {err:#}");
        assert_eq!(user_count(&t.db).await, 1, "{backend:?}: the user was kept");
        sqlx::query("ALTER TABLE audit_events_away RENAME TO audit_events")
            .execute(t.db.pool())
            .await
            .unwrap();

        // The head moved back with the rollback: the chain is intact.
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!((report.checked, report.head_seq), (1, 1), "{backend:?}");
        assert!(report.is_valid());
        create_user_audited(&t.db, "third").await.unwrap();
        assert!(audit::verify(&t.db).await.unwrap().is_valid());
    }
}

#[tokio::test]
async fn no_secret_value_reaches_an_event() {
    const SECRETS: [&str; 5] = [
        "AKSECRET-1",
        "AKSECRET-2",
        "pw-hunter2",
        "tok-abc",
        "SEC-webhook",
    ];
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let before = json!({"name": "prod", "access_key_secret": "AKSECRET-1", "webhook": {"url": "https://x", "token": "tok-abc"}, "sign": "SEC-webhook"});
        let after = json!({"name": "prod-2", "access_key_secret": "AKSECRET-2", "webhook": {"url": "https://x", "token": "tok-abc"}, "password": "pw-hunter2"});
        let event = NewEvent::success(
            actor("alice"),
            AuditAction::AlibabaAccountUpdate,
            Target::new(TargetKind::AlibabaAccount, "a1", "prod"),
        )
        .with_changes(diff(&before, &after, &["sign"]));
        let mut tx = t.db.pool().begin().await.unwrap();
        audit::append(&mut tx, &event).await.unwrap();
        tx.commit().await.unwrap();

        let stored: Vec<String> = sqlx::query_scalar("SELECT changes FROM audit_events")
            .fetch_all(t.db.pool())
            .await
            .unwrap();
        let page = audit::query(&t.db, &EventFilter::default()).await.unwrap();
        let api = serde_json::to_string(&page).unwrap();
        let csv = export(&t.db, ExportFormat::Csv).await;
        for secret in SECRETS {
            for text in stored.iter().chain([&api, &csv]) {
                assert!(!text.contains(secret), "{backend:?}: {secret} in {text}");
            }
        }
        let fields: Vec<_> = page.events[0]
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.secret.is_some()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("access_key_secret", true),
                ("name", false),
                ("password", true),
                ("sign", true),
                ("webhook.token", true),
            ]
        );
    }
}

#[tokio::test]
async fn upstream_intent_without_outcome_is_outcome_unknown() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let target = Target::new(TargetKind::Group, "chat1", "ops");
        let change = || audit::Change::new(AuditAction::GroupUpdate, target.clone());
        let ok = audit::upstream_change(&t.db, actor("bob"), change(), async {
            Ok(Receipt {
                value: 7,
                request_id: Some("REQ-1".to_owned()),
                created_id: None,
            })
        })
        .await
        .unwrap();
        assert_eq!(ok.unwrap(), 7);
        let denied = UpstreamError::new(
            Service::Oos,
            ErrorKind::PermissionDenied { permission: None },
            "Forbidden.RAM",
        )
        .message("no permission")
        .request_id(Some("REQ-2".into()));
        let bad = audit::upstream_change(&t.db, actor("bob"), change(), async move {
            Err::<Receipt<()>, _>(denied)
        })
        .await
        .unwrap();
        assert_eq!(bad.unwrap_err().code, "Forbidden.RAM");
        // A call still in flight (or a process that died during it): the
        // intent is written, the outcome never is.
        let db = t.db.clone();
        let crashed_target = target.clone();
        let in_flight = tokio::spawn(async move {
            let change = audit::Change::new(AuditAction::GroupDissolve, crashed_target);
            audit::upstream_change(&db, actor("bob"), change, async {
                std::future::pending::<Result<Receipt<()>, UpstreamError>>().await
            })
            .await
        });
        let mut events = all(&t.db, EventFilter::default()).await;
        for _ in 0..200 {
            if events.len() == 5 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            events = all(&t.db, EventFilter::default()).await;
        }
        in_flight.abort();
        let crashed_intent = events
            .iter()
            .find(|e| e.action == "group.dissolve")
            .expect("the in-flight intent")
            .seq;
        let mut intents: Vec<_> = events
            .iter()
            .filter(|e| e.action == "group.update" && e.outcome == Outcome::Intent)
            .map(|e| e.seq)
            .collect();
        intents.sort();
        let (ok_intent, bad_intent) = (intents[0], intents[1]);
        let ok_outcome = events
            .iter()
            .find(|e| e.intent_seq == Some(ok_intent))
            .unwrap()
            .seq;

        let get = |seq| events.iter().find(|e| e.seq == seq).unwrap();
        assert_eq!(get(ok_intent).outcome_seq, Some(ok_outcome));
        assert!(!get(ok_intent).outcome_unknown());
        let outcome = get(ok_outcome);
        assert_eq!(
            (outcome.outcome, outcome.intent_seq),
            (Outcome::Success, Some(ok_intent))
        );
        assert_eq!(outcome.request_id.as_deref(), Some("REQ-1"));
        let failed = events
            .iter()
            .find(|e| e.intent_seq == Some(bad_intent))
            .unwrap();
        assert_eq!(failed.outcome, Outcome::Failure);
        assert_eq!(failed.error_code.as_deref(), Some("Forbidden.RAM"));
        assert_eq!(failed.error_message.as_deref(), Some("no permission"));
        assert_eq!(failed.request_id.as_deref(), Some("REQ-2"));
        assert!(get(crashed_intent).outcome_unknown(), "{backend:?}");

        let unknown = all(
            &t.db,
            EventFilter {
                outcome: Some(OutcomeFilter::Unknown),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(seqs(&unknown), vec![crashed_intent], "{backend:?}");
        let intents = all(
            &t.db,
            EventFilter {
                outcome: Some(OutcomeFilter::Intent),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(intents.len(), 3);
        let csv = export(&t.db, ExportFormat::Csv).await;
        assert_eq!(csv.matches(",unknown,").count(), 1, "{csv}");
        assert!(audit::verify(&t.db).await.unwrap().is_valid());
    }
}

async fn export(db: &Db, format: ExportFormat) -> String {
    export_filtered(db, EventFilter::default(), format).await
}

async fn export_filtered(db: &Db, filter: EventFilter, format: ExportFormat) -> String {
    let chunks: Vec<_> = export_stream(db.clone(), filter, format)
        .try_collect()
        .await
        .unwrap();
    String::from_utf8(chunks.concat()).unwrap()
}

#[tokio::test]
async fn export_of_a_large_trail_streams_csv_and_json_lines() {
    const N: usize = 20_000;
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let base = 1_700_000_000_000;
        seed(&t.db, N, base, |i| {
            mixed(i).with_changes(diff(
                &json!({"title": "old, \"quoted\"\nline"}),
                &json!({"title": format!("new {i}")}),
                &[],
            ))
        })
        .await;

        let chunks: Vec<_> = export_stream(t.db.clone(), EventFilter::default(), ExportFormat::Csv)
            .try_collect()
            .await
            .unwrap();
        assert!(
            chunks.len() > 10,
            "not streamed in chunks: {}",
            chunks.len()
        );
        let csv_text = chunks.concat();
        let mut reader = csv::Reader::from_reader(csv_text.as_slice());
        let header = reader.headers().unwrap().clone();
        assert_eq!(
            header.iter().collect::<Vec<_>>(),
            backend::audit::CSV_HEADER.to_vec()
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), N, "{backend:?}");
        for (k, row) in rows.iter().enumerate() {
            let seq = (N - k) as i64;
            assert_eq!(row[0].parse::<i64>().unwrap(), seq);
            let i = seq as usize - 1;
            assert_eq!(&row[3], ["alice", "bob", "carol"][i % 3]);
            let changes: Vec<shared::audit::FieldChange> = serde_json::from_str(&row[16]).unwrap();
            assert_eq!(
                changes[0].before.as_deref(),
                Some("\"old, \\\"quoted\\\"\\nline\"")
            );
            assert_eq!(changes[0].after, Some(format!("\"new {i}\"")));
        }
        assert_eq!(&rows[N - 1][1], "2023-11-14T22:13:20.000Z");

        let jsonl = export(&t.db, ExportFormat::Jsonl).await;
        let events: Vec<AuditEvent> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), N);
        assert_eq!(events[0].seq, N as i64);
        assert_eq!(events[N - 1].seq, 1);
        assert_eq!(events[5].hash.len(), 64);

        // The filter applies; the cursor and page size do not.
        let bob = export_filtered(
            &t.db,
            EventFilter {
                actor: Some("bob".into()),
                before: Some(10),
                limit: Some(1),
                ..Default::default()
            },
            ExportFormat::Jsonl,
        )
        .await;
        assert_eq!(bob.lines().count(), N / 3 + usize::from(N % 3 > 1));
        let none = export_filtered(
            &t.db,
            EventFilter {
                from: Some(base * 2),
                ..Default::default()
            },
            ExportFormat::Csv,
        )
        .await;
        assert_eq!(none.lines().count(), 1, "only the header: {none}");
    }
}
