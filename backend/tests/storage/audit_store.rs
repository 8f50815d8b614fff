//! The audit trail's storage on SQLite and PostgreSQL: appends, filters,
//! keyset paging, the hash chain under tampering and concurrency, rollback
//! of actions whose event cannot be written, secrets, upstream intents and
//! streamed exports.

use std::net::IpAddr;

use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind, diff, export_stream};
use backend::db::{Backend, Db, new_id, now_ms};
use backend::testing::TestDb;
use backend::upstream::Receipt;
use backend::upstream::error::{ErrorKind, Service, UpstreamError};
use futures_util::TryStreamExt;
use serde_json::json;
use shared::audit::{AuditEntry, EventFilter, ExportFormat, Outcome};

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

async fn all(db: &Db, filter: EventFilter) -> Vec<AuditEntry> {
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

fn seqs(events: &[AuditEntry]) -> Vec<i64> {
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
                outcome: Some(Outcome::Failure),
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
                outcome: Some(Outcome::Success),
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

/// A page of `filter` as the API sends it.
async fn page_json(db: &Db, filter: EventFilter) -> serde_json::Value {
    serde_json::to_value(audit::query(db, &filter).await.unwrap()).unwrap()
}

#[tokio::test]
async fn one_change_is_one_entry_in_the_list_its_filters_pages_and_exports() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let signed_in = NewEvent::success(actor("bob"), AuditAction::SignIn, robot(0));
        audit::record(&t.db, &signed_in).await.unwrap();
        let target = Target::new(TargetKind::Group, "chat1", "ops");
        let change = || {
            audit::Change::new(AuditAction::GroupUpdate, target.clone()).with_changes(diff(
                &json!({"title": "ops"}),
                &json!({"title": "ops 2"}),
                &[],
            ))
        };
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
        let mut head = 0;
        for _ in 0..200 {
            head = audit::verify(&t.db).await.unwrap().head_seq;
            if head == 6 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        in_flight.abort();
        assert_eq!(head, 6, "sign-in, two intents with outcomes, one intent");

        // The chain keeps the write-ahead pairs; the reader sees changes.
        let page = page_json(&t.db, EventFilter::default()).await;
        let entries = page["events"].as_array().unwrap();
        let summary: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap(),
                    e["outcome"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("group.dissolve", "unknown"),
                ("group.update", "failure"),
                ("group.update", "success"),
                ("session.sign_in", "success"),
            ],
            "{backend:?}: {page:#}"
        );
        let (failed, done) = (&entries[1], &entries[2]);
        for (entry, request_id) in [(done, "REQ-1"), (failed, "REQ-2")] {
            assert_eq!(entry["request_id"], request_id, "{entry:#}");
            assert_eq!(entry["target"]["label"], "ops");
            assert_eq!(entry["changes"][0]["field"], "title", "{entry:#}");
            assert_eq!(entry["changes"][0]["after"], "\"ops 2\"");
        }
        assert_eq!(done["intent_seq"], 2, "{done:#}");
        assert_eq!(failed["error_code"], "Forbidden.RAM");
        assert_eq!(failed["error_message"], "no permission");
        assert!(entries[3]["intent_seq"].is_null());

        // Filters and pages see the same entries.
        let by = |outcome| EventFilter {
            outcome: Some(outcome),
            ..Default::default()
        };
        let actions = |page: serde_json::Value| -> Vec<String> {
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| format!("{} {}", e["action"].as_str().unwrap(), e["outcome"]))
                .collect()
        };
        assert_eq!(
            actions(page_json(&t.db, by(Outcome::Unknown)).await),
            ["group.dissolve \"unknown\""]
        );
        assert_eq!(
            actions(page_json(&t.db, by(Outcome::Failure)).await),
            ["group.update \"failure\""]
        );
        assert_eq!(
            actions(page_json(&t.db, by(Outcome::Success)).await),
            ["group.update \"success\"", "session.sign_in \"success\""]
        );
        let mut paged = Vec::new();
        let mut filter = EventFilter {
            limit: Some(1),
            ..Default::default()
        };
        loop {
            let page = page_json(&t.db, filter.clone()).await;
            paged.extend(page["events"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_i64() {
                Some(c) => filter.before = Some(c),
                None => break,
            }
        }
        assert_eq!(paged, *entries, "{backend:?}");

        // The exports hold the same entries, one line each.
        let jsonl = export(&t.db, ExportFormat::Jsonl).await;
        let exported: Vec<serde_json::Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(exported, *entries, "{backend:?}");
        let csv_text = export(&t.db, ExportFormat::Csv).await;
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4, "{csv_text}");
        let outcomes: Vec<_> = rows.iter().map(|r| &r[column("outcome")]).collect();
        assert_eq!(outcomes, ["unknown", "failure", "success", "success"]);
        assert_eq!(&rows[2][column("request_id")], "REQ-1");
        assert!(rows[2][column("changes")].contains("ops 2"), "{csv_text}");
        assert!(audit::verify(&t.db).await.unwrap().is_valid());
    }
}

#[tokio::test]
async fn a_create_entry_carries_what_the_upstream_gave() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let target = Target {
            kind: TargetKind::Robot,
            id: None,
            label: Some("ops".into()),
        };
        let change = audit::Change::new(AuditAction::RobotCreate, target).with_changes(diff(
            &json!({}),
            &json!({"name": "ops"}),
            &[],
        ));
        let created = audit::upstream_change(&t.db, actor("bob"), change, async {
            Ok(Receipt {
                value: 42_i64,
                request_id: Some("REQ-C".to_owned()),
                created_id: Some("42".to_owned()),
            })
        })
        .await
        .unwrap();
        assert_eq!(created.unwrap(), 42);
        let filter = EventFilter {
            target: Some("42".into()),
            ..Default::default()
        };
        let entries = audit::query(&t.db, &filter).await.unwrap().events;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        let e = &entries[0];
        assert_eq!(e.target.id.as_deref(), Some("42"));
        assert_eq!(e.target.label.as_deref(), Some("ops"));
        assert_eq!(e.request_id.as_deref(), Some("REQ-C"));
        let fields: Vec<_> = e.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name"], "the intent's diff");
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
            let changes: Vec<shared::audit::FieldChange> = serde_json::from_str(&row[15]).unwrap();
            assert_eq!(
                changes[0].before.as_deref(),
                Some("\"old, \\\"quoted\\\"\\nline\"")
            );
            assert_eq!(changes[0].after, Some(format!("\"new {i}\"")));
        }
        assert_eq!(&rows[N - 1][1], "2023-11-14T22:13:20.000Z");

        let jsonl = export(&t.db, ExportFormat::Jsonl).await;
        let events: Vec<AuditEntry> = jsonl
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
