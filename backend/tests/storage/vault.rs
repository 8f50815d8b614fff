//! The vault on both engines: secrets sealed per record, replaced only
//! when given; one default per kind; each user's last picks.

use backend::audit::Actor;
use backend::db::Backend;
use backend::testing::TestDb;
use backend::vault::{MasterKey, Vault, VaultError};
use secrecy::ExposeSecret;
use shared::audit::{AuditEntry, EventFilter, SecretChange};
use shared::validate::Problem;
use shared::vault::{
    AlibabaAccountInput, DingTalkApi, DingTalkAppInput, DingTalkSite, Preferences, SignatureKind,
};
use sqlx::Row;

const SECRET: &str = "VaultTestSecret0123456789abcdef";

fn account(name: &str) -> AlibabaAccountInput {
    AlibabaAccountInput {
        name: name.into(),
        access_key_id: Some("LTAI5tVaultTestKeyId".into()),
        access_key_secret: Some(SECRET.into()),
        sts_token: None,
        signature: SignatureKind::V3,
        regions: vec![
            "cn-hangzhou".into(),
            "cn-shanghai".into(),
            "cn-hangzhou".into(),
        ],
    }
}

#[tokio::test]
async fn alibaba_accounts_store_encrypted_and_decrypt_by_id() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let view = vault
            .create_alibaba(&Actor::cli(), &account("prod"))
            .await
            .unwrap();
        assert!(
            view.fingerprint.starts_with("LTAI…"),
            "{}",
            view.fingerprint
        );
        assert_eq!(view.regions, ["cn-hangzhou", "cn-shanghai"]);
        assert!(!view.has_sts_token);
        assert!(matches!(
            vault.create_alibaba(&Actor::cli(), &account("prod")).await,
            Err(VaultError::NameTaken(_))
        ));

        let creds = vault.alibaba_account(&view.id).await.unwrap();
        assert_eq!(creds.access_key_id, "LTAI5tVaultTestKeyId");
        assert_eq!(creds.access_key_secret.expose_secret(), SECRET);
        assert!(
            !format!("{creds:?}").contains(SECRET),
            "Debug hides secrets"
        );

        // Nothing in the row is the secret or the key id in clear.
        let row = sqlx::query("SELECT * FROM alibaba_accounts")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        for col in ["secret_ciphertext", "fingerprint", "name", "regions"] {
            let v: String = row.get(col);
            assert!(
                !v.contains(SECRET) && !v.contains("VaultTestKeyId"),
                "{col}: {v}"
            );
        }

        // Replacing only the STS token keeps the key.
        let mut change = account("prod-renamed");
        change.access_key_id = None;
        change.access_key_secret = None;
        change.sts_token = Some("sts-token-value".into());
        let changed = vault
            .update_alibaba(&Actor::cli(), &view.id, &change)
            .await
            .unwrap();
        assert!(changed.has_sts_token);
        assert_eq!(changed.fingerprint, view.fingerprint);
        let creds = vault.alibaba_account(&view.id).await.unwrap();
        assert_eq!(creds.access_key_secret.expose_secret(), SECRET);
        assert_eq!(creds.sts_token.unwrap().expose_secret(), "sts-token-value");

        change.access_key_id = Some("LTAI-other".into());
        assert!(matches!(
            vault.update_alibaba(&Actor::cli(), &view.id, &change).await,
            Err(VaultError::Invalid(e)) if e.field == "access_key_secret"
        ));

        vault.delete_alibaba(&Actor::cli(), &view.id).await.unwrap();
        assert!(matches!(
            vault.alibaba_account(&view.id).await,
            Err(VaultError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn swapped_ciphertexts_do_not_decrypt() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let a = vault
            .create_alibaba(&Actor::cli(), &account("a"))
            .await
            .unwrap();
        let b = vault
            .create_alibaba(&Actor::cli(), &account("b"))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE alibaba_accounts SET secret_ciphertext = \
             (SELECT secret_ciphertext FROM alibaba_accounts WHERE id = $1) WHERE id = $2",
        )
        .bind(&a.id)
        .bind(&b.id)
        .execute(t.db.pool())
        .await
        .unwrap();
        assert!(vault.alibaba_account(&a.id).await.is_ok());
        assert!(matches!(
            vault.alibaba_account(&b.id).await,
            Err(VaultError::Internal(_))
        ));
    }
}

#[tokio::test]
async fn dingtalk_apps_round_trip_and_replace_secrets() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let input = DingTalkAppInput {
            name: "ops bot".into(),
            app_key: "dingabc123".into(),
            app_secret: Some(SECRET.into()),
            site: DingTalkSite::International,
            api: DingTalkApi::Legacy,
        };
        let app = vault.create_dingtalk(&Actor::cli(), &input).await.unwrap();
        assert_eq!(app.app_key, "dingabc123");
        assert_eq!(app.site, DingTalkSite::International);
        let creds = vault.dingtalk_app(&app.id).await.unwrap();
        assert_eq!(creds.app_secret.expose_secret(), SECRET);

        let mut change = input.clone();
        change.app_secret = None;
        change.api = DingTalkApi::New;
        let kept = vault
            .update_dingtalk(&Actor::cli(), &app.id, &change)
            .await
            .unwrap();
        assert_eq!(kept.fingerprint, app.fingerprint);
        assert_eq!(kept.api, DingTalkApi::New);
        change.app_secret = Some("another-secret".into());
        let replaced = vault
            .update_dingtalk(&Actor::cli(), &app.id, &change)
            .await
            .unwrap();
        assert_ne!(replaced.fingerprint, app.fingerprint);
        assert_eq!(
            vault
                .dingtalk_app(&app.id)
                .await
                .unwrap()
                .app_secret
                .expose_secret(),
            "another-secret"
        );
        let mut missing = input.clone();
        missing.name = "other".into();
        missing.app_secret = None;
        assert!(matches!(
            vault.create_dingtalk(&Actor::cli(), &missing).await,
            Err(VaultError::Invalid(e)) if e.field == "app_secret"
        ));
        assert_eq!(vault.list_dingtalk().await.unwrap().len(), 1);
    }
}

fn app(name: &str) -> DingTalkAppInput {
    DingTalkAppInput {
        name: name.into(),
        app_key: format!("key-{name}"),
        app_secret: Some(SECRET.into()),
        site: DingTalkSite::Mainland,
        api: DingTalkApi::New,
    }
}

/// The entries recorded for `target` with `action`, newest first.
async fn recorded(db: &backend::db::Db, action: &str, target: &str) -> Vec<AuditEntry> {
    let filter = EventFilter {
        action: Some(action.into()),
        target: Some(target.into()),
        ..EventFilter::default()
    };
    backend::audit::query(db, &filter).await.unwrap().events
}

#[tokio::test]
async fn the_first_credential_of_a_kind_is_its_default_until_another_is_marked() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let cli = Actor::cli();
        let a = vault.create_alibaba(&cli, &account("a")).await.unwrap();
        let b = vault.create_alibaba(&cli, &account("b")).await.unwrap();
        assert!(a.default && !b.default, "{backend:?}: the first stored");
        let marked = vault.set_default_alibaba(&cli, &b.id).await.unwrap();
        assert!(marked.default);
        let defaults = |list: Vec<shared::vault::AlibabaAccount>| {
            list.into_iter()
                .filter(|a| a.default)
                .map(|a| a.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(defaults(vault.list_alibaba().await.unwrap()), ["b"]);
        let events = recorded(&t.db, "credential.default", &b.id).await;
        assert_eq!(events.len(), 1, "{backend:?}");
        assert_eq!(events[0].changes[0].field, "default");
        assert_eq!(events[0].changes[0].after.as_deref(), Some("true"));
        // Marking the default again changes nothing and records nothing.
        vault.set_default_alibaba(&cli, &b.id).await.unwrap();
        assert_eq!(recorded(&t.db, "credential.default", &b.id).await.len(), 1);
        // Adding never moves the default; deleting it leaves none.
        vault.create_alibaba(&cli, &account("c")).await.unwrap();
        assert_eq!(defaults(vault.list_alibaba().await.unwrap()), ["b"]);
        vault.delete_alibaba(&cli, &b.id).await.unwrap();
        vault.create_alibaba(&cli, &account("d")).await.unwrap();
        assert!(defaults(vault.list_alibaba().await.unwrap()).is_empty());
        assert!(matches!(
            vault.set_default_alibaba(&cli, &b.id).await,
            Err(VaultError::NotFound(_))
        ));

        let x = vault.create_dingtalk(&cli, &app("x")).await.unwrap();
        let y = vault.create_dingtalk(&cli, &app("y")).await.unwrap();
        assert!(x.default && !y.default, "{backend:?}");
        vault.set_default_dingtalk(&cli, &y.id).await.unwrap();
        let apps = vault.list_dingtalk().await.unwrap();
        assert_eq!(
            apps.iter()
                .map(|a| (a.name.as_str(), a.default))
                .collect::<Vec<_>>(),
            [("x", false), ("y", true)]
        );
        vault.delete_dingtalk(&cli, &y.id).await.unwrap();
        assert!(
            vault
                .list_dingtalk()
                .await
                .unwrap()
                .iter()
                .all(|a| !a.default)
        );
    }
}

#[tokio::test]
async fn picks_hold_stored_ids_only_and_are_forgotten_with_the_credential() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let cli = Actor::cli();
        let user = backend::auth::users::create(
            &t.db,
            &cli,
            "picker",
            shared::auth::Role::Auditor,
            "a long password",
        )
        .await
        .unwrap();
        assert_eq!(
            vault.preferences(&user.id).await.unwrap(),
            Preferences::default()
        );
        let a = vault.create_alibaba(&cli, &account("a")).await.unwrap();
        let x = vault.create_dingtalk(&cli, &app("x")).await.unwrap();
        let picks = Preferences {
            alibaba: Some(a.id.clone()),
            dingtalk: Some(x.id.clone()),
        };
        assert_eq!(
            vault.set_preferences(&user.id, &picks).await.unwrap(),
            picks
        );
        assert_eq!(vault.preferences(&user.id).await.unwrap(), picks);

        // An app id is not an account id: refused by name, nothing stored.
        let wrong = Preferences {
            alibaba: Some(x.id.clone()),
            dingtalk: None,
        };
        match vault.set_preferences(&user.id, &wrong).await {
            Err(VaultError::Invalid(e)) => {
                assert_eq!((e.field.as_str(), e.problem), ("alibaba", Problem::Unknown));
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert_eq!(vault.preferences(&user.id).await.unwrap(), picks);

        vault.delete_alibaba(&cli, &a.id).await.unwrap();
        let left = vault.preferences(&user.id).await.unwrap();
        assert_eq!((left.alibaba, left.dingtalk), (None, Some(x.id.clone())));
        // A put replaces both picks.
        let none = Preferences::default();
        assert_eq!(vault.set_preferences(&user.id, &none).await.unwrap(), none);
        assert_eq!(vault.preferences(&user.id).await.unwrap(), none);
    }
}

#[tokio::test]
async fn an_edit_preview_is_what_the_edit_records_and_stores_nothing() {
    for backend in Backend::ALL {
        let t = TestDb::fresh(backend).await;
        let vault = Vault::new(t.db.clone(), MasterKey::generate());
        let cli = Actor::cli();
        let a = vault.create_alibaba(&cli, &account("a")).await.unwrap();
        let mut edit = account("a renamed");
        edit.access_key_secret = Some("AnotherSecret0123456789".into());
        let preview = vault.preview_alibaba(&a.id, &edit).await.unwrap();
        assert_eq!(
            vault.list_alibaba().await.unwrap(),
            std::slice::from_ref(&a)
        );
        let secret = preview
            .iter()
            .find(|c| c.field == "access_key_secret")
            .unwrap();
        assert_eq!(secret.secret, Some(SecretChange::Changed));
        assert_eq!((&secret.before, &secret.after), (&None, &None));
        let text = serde_json::to_string(&preview).unwrap();
        assert!(!text.contains("AnotherSecret") && !text.contains(SECRET));
        vault.update_alibaba(&cli, &a.id, &edit).await.unwrap();
        let events = recorded(&t.db, "vault.alibaba_account.update", &a.id).await;
        assert_eq!(events[0].changes, preview, "{backend:?}");

        let x = vault.create_dingtalk(&cli, &app("x")).await.unwrap();
        let mut edit = app("x");
        edit.app_secret = None;
        edit.api = DingTalkApi::Legacy;
        let preview = vault.preview_dingtalk(&x.id, &edit).await.unwrap();
        // Secret-like fields are always listed, as changed or unchanged.
        assert_eq!(
            preview
                .iter()
                .map(|c| (c.field.as_str(), c.after.as_deref(), c.secret))
                .collect::<Vec<_>>(),
            [
                ("api", Some("\"legacy\""), None),
                ("app_key", None, Some(SecretChange::Unchanged)),
                ("app_secret", None, Some(SecretChange::Unchanged)),
            ],
            "{backend:?}: the kept secret is no change"
        );
        vault.update_dingtalk(&cli, &x.id, &edit).await.unwrap();
        let events = recorded(&t.db, "vault.dingtalk_app.update", &x.id).await;
        assert_eq!(events[0].changes, preview);
        assert!(matches!(
            vault.preview_dingtalk("no-such-app", &edit).await,
            Err(VaultError::NotFound(_))
        ));
    }
}
