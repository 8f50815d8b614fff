//! Sessions: stored hashed, timed out, ended by revocation, by disabling
//! the user and by another process.

use backend::audit::Actor;
use backend::auth::sessions::Sessions;
use backend::auth::users;
use backend::config::SessionConfig;
use backend::db::{Backend, now_ms};
use backend::testing::TestDb;
use shared::auth::{Role, UserUpdate};
use sqlx::Row;

#[tokio::test]
async fn sessions_resolve_expire_and_are_stored_hashed() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let sessions = Sessions::new(t.db.clone());
        let config = SessionConfig::default();
        let user = users::create(
            &t.db,
            &Actor::cli(),
            "erin",
            Role::Helpdesk,
            "a long password",
        )
        .await
        .unwrap();
        let (cookie, session) = sessions.create(user.clone(), None).await.unwrap();
        assert_ne!(cookie, session.id_hash);
        let found = sessions.lookup(&config, &cookie).await.unwrap().unwrap();
        assert_eq!(found.user, user);
        assert_eq!(found.csrf_token, session.csrf_token);
        assert!(sessions.lookup(&config, "forged").await.unwrap().is_none());

        // The raw id is nowhere in the table.
        let stored: i64 = sqlx::query("SELECT COUNT(*) FROM sessions WHERE id_hash = $1")
            .bind(&cookie)
            .fetch_one(t.db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(stored, 0);

        // Idle timeout: pretend the session was last used long ago.
        // The row changes behind the cache's back, which forgets it
        // here rather than after `REVALIDATE_AFTER`.
        sqlx::query("UPDATE sessions SET last_seen_at = $1")
            .bind(now_ms() - config.idle_timeout_ms() - 1)
            .execute(t.db.pool())
            .await
            .unwrap();
        sessions.forget_user(&user.id);
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_none());

        // Absolute timeout, however recently used.
        let (cookie, _) = sessions.create(user.clone(), None).await.unwrap();
        sqlx::query("UPDATE sessions SET created_at = $1")
            .bind(now_ms() - config.absolute_timeout_ms() - 1)
            .execute(t.db.pool())
            .await
            .unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_none());

        // Revocation and disabling end sessions, cached or not.
        let (cookie, session) = sessions.create(user.clone(), None).await.unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_some());
        sessions.revoke(&session.id_hash).await.unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_none());
        let (cookie, _) = sessions.create(user.clone(), None).await.unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_some());
        users::update(
            &t.db,
            &Actor::cli(),
            &user.id,
            &UserUpdate {
                role: None,
                disabled: Some(true),
            },
        )
        .await
        .unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_session_ended_by_another_process_is_refused_within_a_second() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let sessions = Sessions::new(t.db.clone());
        let config = SessionConfig::default();
        let user = users::create(
            &t.db,
            &Actor::cli(),
            "finn",
            Role::Auditor,
            "a long password",
        )
        .await
        .unwrap();
        let (cookie, _) = sessions.create(user, None).await.unwrap();
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_some());
        // Another instance on the same database signs everyone out.
        sqlx::query("DELETE FROM sessions")
            .execute(t.db.pool())
            .await
            .unwrap();
        tokio::time::sleep(backend::cache::REVALIDATE_AFTER).await;
        assert!(sessions.lookup(&config, &cookie).await.unwrap().is_none());
    }
}
