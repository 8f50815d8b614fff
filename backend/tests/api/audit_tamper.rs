//! The audit trail against someone who can write the database but does
//! not hold the audit key (issue 13), on SQLite and PostgreSQL: every
//! edit, insertion, deletion, reordering and truncation is reported with
//! the seq where it happened, and the console keeps recording on the true
//! head.

use crate::support::{PASSWORD, Server};
use axum::http::{Method, StatusCode};
use backend::audit::testing::{self, Record};
use backend::audit::{self, Actor, AuditAction, AuditKey, Keyring, NewEvent, Target, TargetKind};
use backend::db::{Backend, Db};
use backend::testing::TestDb;
use serde_json::json;
use shared::audit::VerifyReport;

const EVENTS: usize = 10;

fn event(i: usize) -> NewEvent {
    let actor = Actor {
        user_id: Some("u1".into()),
        username: "alice".into(),
        role: "admin".into(),
        source: None,
    };
    let target = Target::new(TargetKind::Robot, format!("r{i}"), format!("robot {i}"));
    NewEvent::success(actor, AuditAction::RobotUpdate, target)
}

/// A fresh database holding events 1 to [`EVENTS`], one second apart.
async fn seeded(backend: Backend) -> TestDb {
    let t = TestDb::fresh(backend).await;
    let events: Vec<_> = (0..EVENTS)
        .map(|i| (1_700_000_000_000 + i as i64 * 1000, event(i)))
        .collect();
    let mut tx = t.db.pool().begin().await.unwrap();
    audit::append_at(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    assert_ok(&audit::verify(&t.db).await.unwrap());
    t
}

fn assert_ok(report: &VerifyReport) {
    assert!(report.is_valid(), "{report:#?}");
    assert_eq!(report.problem_count, 0);
}

/// The seq verify names first, after checking that it is reported.
fn first_bad(report: &VerifyReport) -> i64 {
    let first = report.first_broken.as_ref().expect("a problem is reported");
    assert_eq!(report.problems.first().map(|p| p.seq), Some(first.seq));
    first.seq
}

async fn row(db: &Db, seq: i64) -> Record {
    testing::rows(db)
        .await
        .into_iter()
        .find(|r| r.seq == seq)
        .unwrap()
}

async fn delete(db: &Db, seq: i64) {
    sqlx::query("DELETE FROM audit_events WHERE seq = $1")
        .bind(seq)
        .execute(db.pool())
        .await
        .unwrap();
}

async fn record_one(db: &Db, i: usize) -> i64 {
    audit::record(db, &event(i)).await.unwrap()
}

#[tokio::test]
async fn an_edit_with_every_later_link_recomputed_in_plain_sha256_is_caught() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let mut prev = row(&t.db, 4).await.hash;
        for seq in 5..=EVENTS as i64 {
            let mut r = row(&t.db, seq).await;
            if seq == 5 {
                r.target_label = Some("someone else's robot".into());
            }
            r.prev_hash = prev;
            r.hash = r.plain_hash();
            prev = r.hash.clone();
            testing::put(&t.db, &r).await;
        }
        testing::set_head(&t.db, EVENTS as i64, &prev).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 5, "{backend:?}");
        assert!(
            report.problems[0].reason.contains("does not verify"),
            "{report:#?}"
        );
        // Passing the rewritten events off as plain ones from before the
        // keyed chain is caught as well.
        for seq in 5..=EVENTS as i64 {
            let mut r = row(&t.db, seq).await;
            r.key_id = None;
            testing::put(&t.db, &r).await;
        }
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 5, "{backend:?}");
        assert!(
            report.problems[0].reason.contains("not signed"),
            "{report:#?}"
        );
    }
}

#[tokio::test]
async fn rewriting_the_whole_trail_as_a_pre_upgrade_one_is_caught_by_a_checkpoint() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("checkpoints.jsonl");
        let (cp, report) = audit::checkpoint(&t.db, &file).await.unwrap();
        assert_ok(&report);
        assert_eq!((cp.seq, cp.keyed_from), (EVENTS as i64, Some(1)));
        let mut r = row(&t.db, 5).await;
        r.target_label = Some("edited".into());
        testing::put(&t.db, &r).await;
        // Every link plain SHA-256 and no switch-over point: the database
        // alone now looks like a trail no keyed console ever wrote...
        testing::make_legacy(&t.db).await;
        testing::open_with_random_key(&t.db).await.unwrap();
        let report = audit::verify(&t.db).await.unwrap();
        assert_ok(&report);
        assert_eq!(report.keyed_from, Some(11));
        // ...but the checkpoint, signed outside it, knows better: the
        // switch-over point moved and event 10 is not what it was.
        let checkpoints = audit::read_checkpoints(&file).unwrap();
        let report = audit::verify_against(&t.db, &checkpoints).await.unwrap();
        assert_eq!(first_bad(&report), 1, "{backend:?}");
        assert!(report.problems[0].reason.contains("switch-over point was"));
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.seq == 10 && p.reason.contains("differs from the checkpoint")),
            "{report:#?}"
        );
    }
}

#[tokio::test]
async fn an_event_above_the_head_is_caught_and_appends_continue_on_the_true_head() {
    for backend in Backend::ALL {
        for move_head in [false, true] {
            let t = seeded(backend).await;
            let last = row(&t.db, EVENTS as i64).await;
            let mut forged = row(&t.db, 3).await;
            forged.seq = last.seq + 1;
            forged.at = last.at + 1000;
            forged.prev_hash = last.hash.clone();
            // Signed with the forger's own key: a key id verify does not know.
            let theirs = Keyring::new(AuditKey::random(), Vec::new());
            forged.sign(&theirs);
            testing::put(&t.db, &forged).await;
            if move_head {
                testing::set_head(&t.db, forged.seq, &forged.hash).await;
            }
            let report = audit::verify(&t.db).await.unwrap();
            assert_eq!(first_bad(&report), 11, "{backend:?} {move_head}");
            assert!(
                report.problems[0].reason.contains("unknown key id")
                    || report.problems[0].reason.contains("above the chain's head"),
                "{report:#?}"
            );
            // Recording goes on after the stray row, linked to event 10.
            assert_eq!(record_one(&t.db, 99).await, 12);
            let new = row(&t.db, 12).await;
            assert_eq!(new.prev_hash, last.hash);
            let report = audit::verify(&t.db).await.unwrap();
            assert_eq!(first_bad(&report), 11, "{backend:?} {move_head}");
            assert!(report.problems.iter().all(|p| p.seq == 11), "{report:#?}");
            assert_eq!(report.head_seq, 12);
        }
    }
}

#[tokio::test]
async fn a_head_moved_back_leaves_events_above_it() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let r5 = row(&t.db, 5).await;
        testing::set_head(&t.db, 5, &r5.hash).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 6, "{backend:?}");
        assert!(report.problems[0].reason.contains("above the chain's head"));
        // The next event still follows event 10, the true head.
        assert_eq!(record_one(&t.db, 99).await, 11);
        assert_ok(&audit::verify(&t.db).await.unwrap());
    }
}

#[tokio::test]
async fn deleting_the_newest_events_is_caught_against_a_checkpoint() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested").join("checkpoints.jsonl");
        audit::checkpoint(&t.db, &file).await.unwrap();
        delete(&t.db, 10).await;
        delete(&t.db, 9).await;
        let r8 = row(&t.db, 8).await;
        testing::set_head(&t.db, 8, &r8.hash).await;
        // The chain alone cannot see a clean truncation...
        assert_ok(&audit::verify(&t.db).await.unwrap());
        // ...the checkpoint can.
        let checkpoints = audit::read_checkpoints(&file).unwrap();
        assert_eq!(checkpoints.len(), 1);
        let report = audit::verify_against(&t.db, &checkpoints).await.unwrap();
        assert_eq!(first_bad(&report), 9, "{backend:?}");
        assert!(
            report.problems[0].reason.contains("truncated"),
            "{report:#?}"
        );
        // A forged checkpoint line is refused.
        let mut forged = checkpoints[0].clone();
        forged.seq = 8;
        assert!(audit::verify_against(&t.db, &[forged]).await.is_err());
    }
}

#[tokio::test]
async fn deleting_a_middle_event_is_caught() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        delete(&t.db, 5).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 5, "{backend:?}");
        assert_eq!(report.problems[0].reason, "event 5 is missing");
    }
}

#[tokio::test]
async fn swapping_two_events_is_caught() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let (mut a, mut b) = (row(&t.db, 4).await, row(&t.db, 6).await);
        (a.seq, b.seq) = (6, 4);
        testing::put(&t.db, &a).await;
        testing::put(&t.db, &b).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 4, "{backend:?}");
    }
}

#[tokio::test]
async fn changing_an_events_key_id_is_caught() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let mut r = row(&t.db, 7).await;
        r.key_id = Some("0123456789abcdef".into());
        testing::put(&t.db, &r).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 7, "{backend:?}");
        assert!(report.problems[0].reason.contains("unknown key id"));
        // Another key this console knows (after a rotation) does not
        // verify it either.
        let rotated = testing::open_with_random_key(&t.db).await.unwrap();
        r.key_id = Some(rotated.current().id().to_owned());
        testing::put(&t.db, &r).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 7, "{backend:?}");
        assert!(report.problems[0].reason.contains("does not verify"));
    }
}

#[tokio::test]
async fn time_going_backwards_is_caught_even_when_signed() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        // Only a holder of the key can sign this: verify still objects.
        let keys = testing::open_with_random_key(&t.db).await.unwrap();
        let mut r = row(&t.db, 6).await;
        r.at = row(&t.db, 5).await.at - 1;
        r.sign(&keys);
        testing::put(&t.db, &r).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 6, "{backend:?}");
        assert!(report.problems[0].reason.contains("time goes backwards"));
    }
}

#[tokio::test]
async fn a_trail_from_before_the_upgrade_still_verifies_and_continues_keyed() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        testing::make_legacy(&t.db).await;
        assert!(
            testing::rows(&t.db)
                .await
                .iter()
                .all(|r| r.key_id.is_none())
        );
        let report = testing::open_with_random_key(&t.db).await.unwrap();
        let report_after_open = audit::verify(&t.db).await.unwrap();
        assert_ok(&report_after_open);
        assert_eq!(report_after_open.keyed_from, Some(11), "{backend:?}");
        drop(report);
        for i in 0..3 {
            record_one(&t.db, i).await;
        }
        let report = audit::verify(&t.db).await.unwrap();
        assert_ok(&report);
        assert_eq!(report.checked, 13);
        let rows = testing::rows(&t.db).await;
        assert!(rows[..10].iter().all(|r| r.key_id.is_none()));
        assert!(rows[10..].iter().all(|r| r.key_id.is_some()));
        // The old part is still checked: an edit there is caught...
        let mut r = row(&t.db, 3).await;
        r.actor = "mallory".into();
        testing::put(&t.db, &r).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 3, "{backend:?}");
        // ...and so is moving the switch-over point to pass a plain event
        // off as one from before it.
        let mut r = row(&t.db, 3).await;
        r.actor = "alice".into();
        testing::put(&t.db, &r).await;
        sqlx::query("UPDATE audit_head SET keyed_from = 12")
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), 11, "{backend:?}");
    }
}

#[tokio::test]
async fn two_processes_append_to_one_database_concurrently() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        // Two pools, as two consoles on one database would have.
        let other = Db::connect(&t.url).await.unwrap();
        let per_process = 25;
        let mut tasks = Vec::new();
        for db in [t.db.clone(), other.clone()] {
            for i in 0..per_process {
                let db = db.clone();
                tasks.push(tokio::spawn(async move { record_one(&db, i).await }));
            }
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=2 * per_process as i64).collect::<Vec<_>>());
        let report = audit::verify(&other).await.unwrap();
        assert_ok(&report);
        assert_eq!(report.checked, 2 * per_process as u64, "{backend:?}");
        other.close().await;
    }
}

#[tokio::test]
async fn the_console_serves_sign_in_and_audited_actions_over_a_stray_row() {
    for backend in Backend::ALL {
        let server = Server::start(backend).await;
        let db = &server.db.db;
        let head = testing::head_seq(db).await;
        let mut forged = row(db, head).await;
        forged.seq = head + 1;
        forged.hash = forged.plain_hash();
        testing::put(db, &forged).await;

        let admin = server.sign_in("admin").await;
        let body = json!({ "username": "newbie", "role": "auditor", "password": PASSWORD });
        let reply = server
            .send(
                Method::POST,
                "/users",
                Some(&admin),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);

        let auditor = server.sign_in("auditor").await;
        let reply = server
            .send(Method::GET, "/audit/verify", Some(&auditor), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        assert_eq!(reply.body["first_broken"]["seq"], head + 1, "{}", reply.raw);
        // The banner's source says the same, cheaply.
        let reply = server
            .send(Method::GET, "/audit/status", Some(&auditor), None)
            .await;
        assert_eq!(reply.body["ok"], false, "{}", reply.raw);
        assert_eq!(reply.body["first_bad_seq"], head + 1);
        // Monitoring sees it too, while the console stays ready.
        let readyz = axum::http::Request::get("/readyz")
            .header(axum::http::header::HOST, crate::support::HOST)
            .body(axum::body::Body::empty())
            .unwrap();
        let reply = server.raw(readyz).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        assert_eq!(reply.body["audit"]["ok"], false, "{}", reply.raw);
        assert_eq!(reply.body["audit"]["first_bad_seq"], head + 1);
        // Sign-ins and the user creation were recorded after the stray row.
        let rows = testing::rows(db).await;
        assert!(rows.len() as i64 >= head + 4, "{backend:?}");
    }
}

#[tokio::test]
async fn after_a_key_rotation_old_and_new_events_verify() {
    for backend in Backend::ALL {
        let t = seeded(backend).await;
        let old_id = row(&t.db, 1).await.key_id.unwrap();
        let rotated = testing::open_with_random_key(&t.db).await.unwrap();
        assert_eq!(record_one(&t.db, 0).await, 11);
        let new_id = row(&t.db, 11).await.key_id.unwrap();
        assert_eq!(new_id, rotated.current().id());
        assert_ne!(new_id, old_id);
        assert_ok(&audit::verify(&t.db).await.unwrap());
    }
}

#[tokio::test]
async fn the_server_checkpoints_at_start_and_then_periodically() {
    let t = seeded(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.jsonl");
    let task = tokio::spawn(audit::run_checkpoints(
        t.db.clone(),
        file.clone(),
        std::time::Duration::from_millis(100),
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while audit::read_checkpoints(&file).map_or(0, |c| c.len()) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no periodic checkpoints"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    task.abort();
    let checkpoints = audit::read_checkpoints(&file).unwrap();
    assert!(checkpoints.iter().all(|c| c.seq == EVENTS as i64));
    assert_ok(&audit::verify_against(&t.db, &checkpoints).await.unwrap());
}

/// A keyring as a console loads it: an own key file (or none) and the key
/// derived from `master`.
fn configured(own: Option<&std::path::Path>, master: &backend::vault::MasterKey) -> Keyring {
    let mut config = backend::config::Config::default();
    config.audit.key_file = own.map(std::path::Path::to_owned);
    Keyring::load(&config, Some(master)).unwrap()
}

/// Appends an event signed with `key` after the newest and moves the head.
async fn forge_with(db: &Db, key: AuditKey) -> i64 {
    let last = testing::rows(db).await.pop().unwrap();
    let mut forged = last.clone();
    forged.seq = last.seq + 1;
    forged.actor = "mallory".into();
    forged.prev_hash = last.hash.clone();
    forged.sign(&Keyring::new(key, Vec::new()));
    testing::put(db, &forged).await;
    testing::set_head(db, forged.seq, &forged.hash).await;
    forged.seq
}

#[tokio::test]
async fn the_master_derived_key_verifies_only_while_the_trail_records_it() {
    use base64::Engine;
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let master = backend::vault::MasterKey::generate();
        // The console starts on the derived key and records events...
        audit::open(&t.db, configured(None, &master)).await.unwrap();
        for i in 0..3 {
            record_one(&t.db, i).await;
        }
        // ...then is given a key of its own: the old events still verify.
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("audit.key");
        let bytes = rand::random::<[u8; 32]>();
        std::fs::write(
            &own,
            base64::engine::general_purpose::STANDARD.encode(bytes),
        )
        .unwrap();
        audit::open(&t.db, configured(Some(&own), &master))
            .await
            .unwrap();
        let first_own = record_one(&t.db, 3).await;
        assert_ok(&audit::verify(&t.db).await.unwrap());
        assert_ne!(
            row(&t.db, first_own).await.key_id,
            row(&t.db, first_own - 1).await.key_id
        );
        // An event forged with the derived key after that does not.
        let forged = forge_with(&t.db, AuditKey::derived(&master)).await;
        let report = audit::verify(&t.db).await.unwrap();
        assert_eq!(first_bad(&report), forged, "{backend:?}: {report:#?}");
        assert!(
            report.problems[0]
                .reason
                .contains("derived from the master key"),
            "{report:#?}"
        );
        // Nor does recording an era for it, signed with the derived key.
        sqlx::query("INSERT INTO audit_key_eras (from_seq, key_id, mac) VALUES ($1, $2, 'x')")
            .bind(forged)
            .bind(AuditKey::derived(&master).id())
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = audit::verify(&t.db).await.unwrap();
        assert!(
            report.problems.iter().any(|p| p.seq == forged),
            "{report:#?}"
        );
    }
}
