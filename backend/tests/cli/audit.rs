//! `chatdesk audit verify` as an operator runs it.

use std::process::Command;

use backend::audit::testing;
use backend::audit::{
    self, AUDIT_KEY_VAR, Actor, AuditAction, AuditKey, Keyring, NewEvent, Target, TargetKind,
};
use backend::config::Config;
use backend::db::{Backend, Db};
use backend::testing::TestDb;
use backend::vault::MasterKey;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::audit::VerifyReport;

fn verify(data_dir: &std::path::Path) -> std::process::Output {
    chatdesk(&["audit", "verify"], data_dir)
}

#[tokio::test]
async fn audit_verify_reports_the_first_broken_link_and_fails() {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: data.path().to_owned(),
        ..Config::default()
    };
    let db = Db::open(&config).await.unwrap();
    // The key the command line derives from the same master key.
    let master = MasterKey::load(&config.master_key_file(), true).unwrap();
    audit::open(&db, Keyring::load(&config, Some(&master)).unwrap())
        .await
        .unwrap();
    let actor = Actor {
        user_id: None,
        username: "alice".into(),
        role: "admin".into(),
        source: None,
    };
    let events: Vec<_> = (0..5)
        .map(|i| {
            let target = Target::new(TargetKind::Robot, format!("r{i}"), "ops");
            (
                i,
                NewEvent::success(actor.clone(), AuditAction::RobotUpdate, target),
            )
        })
        .collect();
    let mut tx = db.pool().begin().await.unwrap();
    audit::append_at(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();

    let out = verify(data.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report.checked, report.first_broken), (5, None));

    sqlx::query("UPDATE audit_events SET target_label = 'dev' WHERE seq = 3")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let out = verify(data.path());
    assert!(!out.status.success());
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.first_broken.unwrap().seq, 3);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("broken at seq 3"), "{stderr}");
}

fn chatdesk(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    chatdesk_with(args, data_dir, &[])
}

/// `chatdesk ARGS --data-dir DATA_DIR` with `env` set (and no audit key
/// inherited from the test's own environment).
fn chatdesk_with(
    args: &[&str],
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chatdesk"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove(AUDIT_KEY_VAR)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[tokio::test]
async fn audit_checkpoint_then_verify_catches_deleted_newest_events() {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: data.path().to_owned(),
        ..Config::default()
    };
    // `user add` records events through the command line's own key.
    for name in ["a1", "a2", "a3"] {
        let out = chatdesk(&["user", "add", name, "--role", "auditor"], data.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = chatdesk(&["audit", "checkpoint"], data.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: audit::Checkpoint = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.seq, 3);
    let file = config.audit_checkpoint_file();
    assert_eq!(audit::read_checkpoints(&file).unwrap(), [printed]);

    let db = Db::open(&config).await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 3")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
    let plain = verify(data.path());
    assert!(plain.status.success(), "the chain alone cannot see it");
    let file = file.to_str().unwrap();
    let out = chatdesk(&["audit", "verify", "--checkpoint", file], data.path());
    assert!(!out.status.success());
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.first_broken.unwrap().seq, 3);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("broken at seq 3"), "{stderr}");
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A data directory whose trail was signed from its first start with the
/// audit key `own` (base64), holding three events and a checkpoint of them.
async fn own_key_trail(own: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let data = tempfile::tempdir().unwrap();
    let env = [(AUDIT_KEY_VAR, own)];
    for name in ["a1", "a2", "a3"] {
        let out = chatdesk_with(
            &["user", "add", name, "--role", "auditor"],
            data.path(),
            &env,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let file = data.path().join("checkpoints.jsonl");
    let out = chatdesk_with(
        &["audit", "checkpoint", "--file", file.to_str().unwrap()],
        data.path(),
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (data, file)
}

/// Appends an event signed with `key` after the newest one and moves the
/// head to it, as someone who can write the database and read `key` can.
async fn forge_with(data_dir: &std::path::Path, key: AuditKey) -> i64 {
    let config = Config {
        data_dir: data_dir.to_owned(),
        ..Config::default()
    };
    let db = Db::open(&config).await.unwrap();
    let last = testing::rows(&db).await.pop().unwrap();
    let mut forged = last.clone();
    forged.seq = last.seq + 1;
    forged.actor = "mallory".into();
    forged.prev_hash = last.hash.clone();
    forged.sign(&Keyring::new(key, Vec::new()));
    testing::put(&db, &forged).await;
    testing::set_head(&db, forged.seq, &forged.hash).await;
    db.close().await;
    forged.seq
}

fn random_key_base64() -> String {
    STANDARD.encode(rand::random::<[u8; 32]>())
}

#[tokio::test]
async fn an_event_forged_with_the_master_derived_key_fails_verify_under_an_own_key() {
    let own = random_key_base64();
    let (data, file) = own_key_trail(&own).await;
    // The master key lies beside the database: whoever writes one reads
    // the other.
    let master = MasterKey::load(&data.path().join("master.key"), false).unwrap();
    let forged = forge_with(data.path(), AuditKey::derived(&master)).await;

    let env = [(AUDIT_KEY_VAR, own.as_str())];
    let out = chatdesk_with(
        &["audit", "verify", "--checkpoint", file.to_str().unwrap()],
        data.path(),
        &env,
    );
    assert!(!out.status.success(), "the forged event passed");
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    let first = report.first_broken.unwrap();
    assert_eq!(first.seq, forged, "{}", first.reason);
    assert!(
        first.reason.contains("derived from the master key"),
        "{}",
        first.reason
    );
    assert!(stderr(&out).contains(&format!("broken at seq {forged}")));
}

#[tokio::test]
async fn under_a_wrong_audit_key_verify_says_the_key_is_unknown() {
    let (data, file) = own_key_trail(&random_key_base64()).await;
    let wrong = random_key_base64();
    let env = [(AUDIT_KEY_VAR, wrong.as_str())];
    let out = chatdesk_with(&["audit", "verify"], data.path(), &env);
    assert!(!out.status.success());
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.problem_count > 0);
    for p in &report.problems {
        assert!(p.reason.contains("unknown"), "{p:?}");
        assert!(!p.reason.contains("moved"), "{p:?}");
    }
    let out = chatdesk_with(
        &["audit", "verify", "--checkpoint", file.to_str().unwrap()],
        data.path(),
        &env,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown"), "{}", stderr(&out));
}

#[tokio::test]
async fn verify_against_an_empty_checkpoint_file_fails() {
    let own = random_key_base64();
    let (data, _) = own_key_trail(&own).await;
    let empty = data.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let out = chatdesk_with(
        &["audit", "verify", "--checkpoint", empty.to_str().unwrap()],
        data.path(),
        &[(AUDIT_KEY_VAR, own.as_str())],
    );
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains("holds no checkpoint"),
        "{}",
        stderr(&out)
    );
}

/// Everything the trail is made of, row for row.
async fn trail_state(db: &Db) -> (Vec<testing::Record>, Vec<Vec<Option<String>>>) {
    let mut tables = Vec::new();
    for sql in [
        "SELECT trail, CAST(seq AS TEXT), hash, CAST(at AS TEXT), CAST(keyed_from AS TEXT), \
         keyed_mac FROM audit_head",
        "SELECT CAST(from_seq AS TEXT), key_id, mac FROM audit_key_eras ORDER BY from_seq",
    ] {
        // Before the key eras existed, the second table is simply absent.
        let Ok(rows) = sqlx::query(sql).fetch_all(db.pool()).await else {
            continue;
        };
        for row in rows {
            use sqlx::Row;
            tables.push((0..row.len()).map(|i| row.try_get(i).unwrap()).collect());
        }
    }
    (testing::rows(db).await, tables)
}

#[tokio::test]
async fn verify_and_checkpoint_leave_a_pre_upgrade_trail_as_it_is_and_serve_upgrades_it() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let actor = Actor::cli();
        let events: Vec<_> = (0..4)
            .map(|i| {
                let target = Target::new(TargetKind::Robot, format!("r{i}"), "ops");
                (
                    i,
                    NewEvent::success(actor.clone(), AuditAction::RobotUpdate, target),
                )
            })
            .collect();
        let mut tx = t.db.pool().begin().await.unwrap();
        audit::append_at(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();
        // Plain links and no switch-over point, as an old console left it.
        testing::make_legacy(&t.db).await;
        let before = trail_state(&t.db).await;

        let data = tempfile::tempdir().unwrap();
        let db_args = ["--database-url", t.url.as_str()];
        let file = data.path().join("cp.jsonl");
        let checkpoint = [
            &["audit", "checkpoint", "--file"][..],
            &[file.to_str().unwrap()],
        ]
        .concat();
        for args in [&["audit", "verify"][..], &checkpoint] {
            let out = chatdesk(&[args, &db_args].concat(), data.path());
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            assert_eq!(
                trail_state(&t.db).await,
                before,
                "{args:?} changed the trail ({backend:?})"
            );
        }

        // Only a start of the console upgrades it, and says so.
        let mut serve = Command::new(env!("CARGO_BIN_EXE_chatdesk"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .args(db_args)
            .arg("--data-dir")
            .arg(data.path())
            .arg("--dist-dir")
            .arg(data.path().join("no-dist"))
            .env_remove(AUDIT_KEY_VAR)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(serve.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            use std::io::BufRead;
            assert!(stdout.read_line(&mut line).unwrap() > 0, "serve exited");
            if line.contains("http://") {
                break;
            }
        }
        serve.kill().unwrap();
        let out = serve.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(
            log.contains("upgrading the audit trail to keyed links"),
            "{backend:?}: {log}"
        );
        assert_ne!(trail_state(&t.db).await, before);
    }
}
