//! The group operations (backend::groups::service) and the catalogue
//! storage against the sandbox, on SQLite and PostgreSQL, in both DingTalk
//! API generations: limits refused before any upstream call, batches of 40
//! reporting each user, a token expiring mid-batch, a throttled app, one
//! member failing among others.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use backend::audit::{self, Actor};
use backend::auth::sessions::{Session, Sessions};
use backend::auth::throttle::Throttle;
use backend::chat_configs::store::ChatConfigStore;
use backend::config::Config;
use backend::context::Ctx;
use backend::db::Backend;
use backend::groups::{App, Scope, people, service, store};
use backend::sandbox::{DEMO_APP_KEY, DEMO_APP_SECRET, Fault, Sandbox, SandboxConfig};
use backend::spa::Spa;
use backend::state::AppState;
use backend::telemetry::RequestId;
use backend::testing::TestDb;
use backend::upstream::Upstream;
use backend::vault::{MasterKey, Vault};
use shared::audit::{EventFilter, Outcome};
use shared::auth::{Role, User};
use shared::groups::{
    AdminsChange, CatalogueQuery, GroupEdit, GroupSettings, ImportRequest, MembersChange,
    NewGroupRequest, SettingsPatch, UserId,
};
use shared::outcome::ItemStatus;
use shared::vault::{DingTalkApi, DingTalkAppInput};

struct World {
    sandbox: Sandbox,
    db: TestDb,
    upstream: Arc<Upstream>,
    vault: Vault,
    app: App,
}

async fn world(backend: Backend, api: DingTalkApi) -> World {
    let sandbox = sandbox(SandboxConfig::demo()).await;
    let mut settings = settings(&sandbox);
    // Fast enough for 1,000-member reads; the limiter itself is tested elsewhere.
    settings.dingtalk_rate.per_second = 400.0;
    settings.dingtalk_rate.burst = 400;
    let upstream = Arc::new(Upstream::new(settings));
    let db = TestDb::fresh(backend).await;
    let vault = Vault::new(db.db.clone(), MasterKey::generate());
    let stored = vault
        .create_dingtalk(
            &Actor::cli(),
            &DingTalkAppInput {
                name: "Sandbox DingTalk".into(),
                app_key: DEMO_APP_KEY.into(),
                app_secret: Some(DEMO_APP_SECRET.into()),
                api,
                ..DingTalkAppInput::default()
            },
        )
        .await
        .unwrap();
    let creds = vault.dingtalk_app(&stored.id).await.unwrap();
    let app = App {
        id: stored.id,
        name: stored.name,
        app: creds.app(),
        api,
    };
    World {
        sandbox,
        db,
        upstream,
        vault,
        app,
    }
}

impl World {
    /// A help-desk user's request through the sandbox app.
    fn scope(&self) -> Scope {
        let state = AppState {
            config: Arc::new(Config::default()),
            spa: Spa::load(Path::new("no-console-here")),
            db: self.db.db.clone(),
            sessions: Sessions::new(self.db.db.clone()),
            chat_configs: ChatConfigStore::new(self.db.db.clone()),
            vault: self.vault.clone(),
            throttle: Throttle::default(),
            sandbox_url: None,
            upstream: self.upstream.clone(),
        };
        let user = User {
            id: "u-helpdesk".into(),
            username: "helpdesk".into(),
            role: Role::Helpdesk,
            disabled: false,
            created_at: 0,
        };
        let session = Session {
            id_hash: String::new(),
            csrf_token: String::new(),
            user,
        };
        let ctx = Ctx {
            state,
            session,
            source: None,
            request_id: RequestId::new(),
        };
        Scope {
            ctx,
            app: self.app.clone(),
        }
    }

    /// Upstream changes recorded so far (entries with an intent).
    async fn intents(&self) -> usize {
        let filter = EventFilter {
            limit: Some(500),
            ..EventFilter::default()
        };
        audit::query(&self.db.db, &filter)
            .await
            .unwrap()
            .events
            .iter()
            .filter(|e| e.intent_seq.is_some())
            .count()
    }
}

fn ids(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|n| format!("user{n:04}")).collect()
}

async fn every_operation(backend: Backend, api: DingTalkApi) {
    let w = world(backend, api).await;
    let scope = w.scope();
    let seeded = service::seed_demo(&w.db.db, DEMO_APP_KEY, &w.sandbox)
        .await
        .unwrap();
    assert_eq!(seeded, 20);
    assert_eq!(
        service::seed_demo(&w.db.db, DEMO_APP_KEY, &w.sandbox)
            .await
            .unwrap(),
        0,
        "only an empty catalogue is seeded"
    );

    // Create with 45 members: 40 in the create call, 5 in a follow-up.
    let created = service::create(
        &scope,
        &NewGroupRequest {
            app_id: w.app.id.clone(),
            name: "值班 on-call".into(),
            owner: "user0100".into(),
            members: ids(101..=144),
            settings: GroupSettings {
                searchable: true,
                ..GroupSettings::default()
            },
            labels: vec!["运维".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(created.members.add.len(), 45);
    assert!(
        created
            .members
            .add
            .iter()
            .all(|i| i.is_done() && i.name.is_some())
    );
    assert_eq!(created.members.calls, 2);
    assert_eq!(created.group.member_count, 45);
    let id = created.group.id.clone();

    // The catalogue finds it by a member's name, the owner's name, a label.
    let member = &created.members.add[44];
    let by_member = store::page(
        &w.db.db,
        &CatalogueQuery {
            q: Some(member.name.clone().unwrap()),
            ..CatalogueQuery::default()
        },
    )
    .await
    .unwrap();
    assert!(by_member.groups.iter().any(|g| g.id == id), "{by_member:?}");
    let by_label = store::page(
        &w.db.db,
        &CatalogueQuery {
            label: Some("运维".into()),
            ..CatalogueQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_label.total, 1);
    let all = store::page(&w.db.db, &CatalogueQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 21);

    // The page: names, settings.
    let detail = service::detail(&scope, &id).await.unwrap();
    assert_eq!(detail.members.len(), 45);
    assert!(detail.members.iter().all(|m| m.name.is_some()));
    assert!(detail.settings.searchable && !detail.settings.muted);
    assert!(detail.private_chat.is_none(), "unknown until set");

    // Refused before any upstream change, naming field and value.
    let before = w.intents().await;
    let refusals = [
        (
            GroupEdit {
                name: Some("x".repeat(21)),
                ..GroupEdit::default()
            },
            "name",
        ),
        (
            GroupEdit {
                owner: Some("user2999".into()),
                ..GroupEdit::default()
            },
            "owner",
        ),
        (
            GroupEdit {
                owner: Some("nobody-here".into()),
                ..GroupEdit::default()
            },
            "owner",
        ),
    ];
    for (edit, field) in refusals {
        let err = service::edit(&scope, &id, &edit).await.unwrap_err();
        assert_eq!(err.body().field.as_deref(), Some(field), "{err}");
    }
    let ghost = MembersChange {
        add: vec!["user0200".into(), "ghost-user".into()],
        ..MembersChange::default()
    };
    let err = service::change_members(&scope, &id, &ghost)
        .await
        .unwrap_err();
    assert_eq!(err.body().field.as_deref(), Some("add[1]"));
    assert!(err.to_string().contains("ghost-user"), "{err}");
    let err = service::create(
        &scope,
        &NewGroupRequest {
            app_id: w.app.id.clone(),
            name: "too big".into(),
            owner: "user0001".into(),
            members: ids(1..=1001),
            settings: GroupSettings::default(),
            labels: vec![],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.body().field.as_deref(), Some("members"));
    let big = store::page(
        &w.db.db,
        &CatalogueQuery {
            q: Some("全员大群".into()),
            ..CatalogueQuery::default()
        },
    )
    .await
    .unwrap()
    .groups
    .remove(0);
    let one_more = MembersChange {
        add: vec!["user2500".into()],
        ..MembersChange::default()
    };
    let err = service::change_members(&scope, &big.id, &one_more)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("user2500 would be member number 1001"),
        "{err}"
    );
    assert_eq!(w.intents().await, before, "nothing reached DingTalk");

    // Rename and one switch: the other five are written back unchanged.
    let edited = service::edit(
        &scope,
        &id,
        &GroupEdit {
            name: Some("值班群 2".into()),
            settings: SettingsPatch {
                muted: Some(true),
                ..SettingsPatch::default()
            },
            ..GroupEdit::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.group.name, "值班群 2");
    assert!(edited.settings.muted && edited.settings.searchable);

    // 120 members in three calls; the token expires after the first.
    w.sandbox.faults().set(
        match api {
            DingTalkApi::New => "UpdateGroup",
            DingTalkApi::Legacy => "chat/update",
        },
        Fault::latency(Duration::from_millis(300)),
    );
    let fetches = w.sandbox.token_fetches(DEMO_APP_KEY);
    let add = MembersChange {
        add: ids(201..=320),
        ..MembersChange::default()
    };
    let batch = {
        let scope = w.scope();
        let handle = async move { service::change_members(&scope, &id.clone(), &add).await };
        let expire = async {
            tokio::time::sleep(Duration::from_millis(450)).await;
            w.sandbox.expire_tokens();
        };
        let (report, ()) = tokio::join!(handle, expire);
        report.unwrap()
    };
    w.sandbox.faults().clear();
    assert_eq!(batch.add.len(), 120);
    assert!(batch.add.iter().all(|i| i.is_done()), "{batch:?}");
    assert_eq!(batch.calls, 3);
    assert!(
        w.sandbox.token_fetches(DEMO_APP_KEY) > fetches,
        "refreshed mid-batch"
    );
    let id = created.group.id.clone();
    assert_eq!(
        store::get(&w.db.db, &id)
            .await
            .unwrap()
            .unwrap()
            .member_count,
        165
    );

    // Remove three members and one who is not in the group: the three in
    // one call, the outsider already so.
    let remove = MembersChange {
        remove: vec![
            "user0201".into(),
            "user0202".into(),
            "user0203".into(),
            "user2999".into(),
        ],
        ..MembersChange::default()
    };
    let report = service::change_members(&scope, &id, &remove).await.unwrap();
    let done: Vec<bool> = report.remove.iter().map(|i| i.is_done()).collect();
    assert_eq!(done, [true, true, true, false], "{report:?}");
    assert_eq!(report.remove[3].id, "user2999");
    assert_eq!(report.remove[3].status, ItemStatus::Unchanged);
    assert_eq!(report.calls, 1);

    // One who left the directory while chatdesk still knew their name: the
    // call of two fails, then each is tried alone and only they fail.
    let app = &w.app.app;
    people::remember(app, [(UserId::parse("gone-user").unwrap(), "走了".into())]);
    let back = MembersChange {
        add: vec!["user0201".into(), "gone-user".into()],
        ..MembersChange::default()
    };
    let report = service::change_members(&scope, &id, &back).await.unwrap();
    assert!(report.add[0].is_done(), "{report:?}");
    let error = report.add[1].error().expect("the departed user failed");
    assert_eq!(report.add[1].id, "gone-user");
    assert!(error.message.contains("gone-user"), "{error:?}");
    assert_eq!(report.calls, 3);

    // A throttled app slows down and the batch still succeeds.
    w.sandbox.faults().set(
        match api {
            DingTalkApi::New => "UpdateGroup",
            DingTalkApi::Legacy => "chat/update",
        },
        Fault::throttle(1).times(5),
    );
    let report = service::change_members(
        &scope,
        &id,
        &MembersChange {
            add: ids(400..=401),
            ..MembersChange::default()
        },
    )
    .await
    .unwrap();
    assert!(report.add.iter().all(|i| i.is_done()), "{report:?}");
    w.sandbox.faults().clear();

    // Admins: twelve at most, checked before calling.
    let twelve = AdminsChange {
        add: ids(101..=112),
        ..AdminsChange::default()
    };
    let report = service::change_admins(&scope, &id, &twelve).await.unwrap();
    assert_eq!(report.add.len(), 12);
    assert!(report.add.iter().all(|i| i.is_done()));
    let thirteenth = AdminsChange {
        add: vec!["user0113".into()],
        ..AdminsChange::default()
    };
    let err = service::change_admins(&scope, &id, &thirteenth)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("user0113 would be admin number 13"),
        "{err}"
    );

    // Private chat and nicknames are remembered with who and when.
    let set = service::set_private_chat(&scope, &id, false).await.unwrap();
    assert_eq!((set.value, set.by.as_str()), (false, "helpdesk"));
    let nick = service::set_nickname(&scope, &id, "user0105", "夜班")
        .await
        .unwrap();
    assert_eq!(nick.value, "夜班");
    let err = service::set_nickname(&scope, &id, "user0105", &"长".repeat(21))
        .await
        .unwrap_err();
    assert_eq!(err.body().field.as_deref(), Some("nickname"));
    let detail = service::detail(&scope, &id).await.unwrap();
    assert!(!detail.private_chat.unwrap().value);
    let m = detail
        .members
        .iter()
        .find(|m| m.user_id.as_str() == "user0105")
        .unwrap();
    assert_eq!(m.nickname.as_ref().unwrap().by, "helpdesk");
    assert!(m.admin);

    // The join link, as a QR image.
    let link = service::join_link(&scope, &id).await.unwrap();
    assert!(link.link.starts_with("https://qr.dingtalk.com/"));
    assert!(
        backend::groups::qr::svg(&link.link)
            .unwrap()
            .contains("<svg")
    );

    // Import: a known chatid is refused as a duplicate; an unknown one is
    // explained.
    let err = service::import(
        &scope,
        &ImportRequest {
            app_id: w.app.id.clone(),
            chat_id: created.group.chat_id.to_string(),
            labels: vec![],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.status_and_code().1, "conflict");
    let err = service::import(
        &scope,
        &ImportRequest {
            app_id: w.app.id.clone(),
            chat_id: "chatfromclient0001".into(),
            labels: vec![],
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("server-side chat/create"), "{err}");

    // Every upstream change has its outcome in the trail.
    let unknown = EventFilter {
        outcome: Some(Outcome::Unknown),
        ..EventFilter::default()
    };
    let open = audit::query(&w.db.db, &unknown).await.unwrap();
    assert!(open.events.is_empty(), "{:?}", open.events);
    let failures = EventFilter {
        outcome: Some(Outcome::Failure),
        ..EventFilter::default()
    };
    let failed = audit::query(&w.db.db, &failures).await.unwrap();
    assert!(failed.events.iter().all(|e| e.outcome == Outcome::Failure));
    assert!(
        !failed.events.is_empty(),
        "the departed user's addition and the throttled calls"
    );
}

#[tokio::test]
async fn every_operation_new_api_sqlite() {
    every_operation(Backend::Sqlite, DingTalkApi::New).await;
}

#[tokio::test]
async fn every_operation_legacy_api_sqlite() {
    every_operation(Backend::Sqlite, DingTalkApi::Legacy).await;
}

#[tokio::test]
async fn every_operation_new_api_postgres() {
    every_operation(Backend::Postgres, DingTalkApi::New).await;
}

#[tokio::test]
async fn every_operation_legacy_api_postgres() {
    every_operation(Backend::Postgres, DingTalkApi::Legacy).await;
}
