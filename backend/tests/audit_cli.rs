//! `chatdesk audit verify` as an operator runs it.

use std::process::Command;

use backend::audit::{self, Actor, AuditAction, Keyring, NewEvent, Target, TargetKind};
use backend::config::Config;
use backend::db::Db;
use backend::vault::MasterKey;
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
    Command::new(env!("CARGO_BIN_EXE_chatdesk"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
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
