//! The new-robot and edit drawers: the fields of a `RobotForm`, the alert
//! scopes and asset groups Security Center offers the account, a
//! confirmation before a create and the server's plan before an edit.

use leptos::prelude::*;
use shared::audit::{FieldChange, SecretChange};
use shared::robots::{
    IntervalUnit, RobotEdit, RobotForm, RobotLang, RobotName, ScopePick, WebhookUrl,
    rules_from_picks,
};
use shared::secret::SecretInput;
use shared::validate::Problem;

use crate::api;
use crate::i18n::robots as tx;
use crate::i18n::{Lang, T, use_i18n};
use crate::router::encode;
use crate::ui::form::{EditForm, Value, edit_drawer as ui_edit_drawer};
use crate::ui::{
    Control, FieldSpec, FormSpec, Json, Opt, Question, Remote, Values, Wording, choices,
    form_drawer, json, submit, use_review, use_toasts,
};

pub const WORDING: Wording = Wording {
    labels: &[tx::FIELD_LABELS],
    value: |field, v| match field {
        "lang" => RobotLang::parse(v).map(lang_text),
        "interval_unit" => IntervalUnit::parse(v).map(unit_text),
        _ => None,
    },
};

pub const fn lang_text(l: RobotLang) -> T {
    match l {
        RobotLang::Zh => tx::LANG_ZH,
        RobotLang::En => tx::LANG_EN,
    }
}

pub const fn unit_text(u: IntervalUnit) -> T {
    match u {
        IntervalUnit::Seconds => tx::SECONDS,
        IntervalUnit::Minutes => tx::MINUTES,
    }
}

/// A robot's API path under its account.
pub fn robot_path(account: &str, id: i64) -> String {
    format!("/robots/{}/{id}", encode(account))
}

/// A scope choice as one checkbox value.
fn pick_value((source, field, value): &ScopePick) -> String {
    format!("{source}|{field}|{value}")
}

fn pick_of(text: &str) -> Option<ScopePick> {
    let mut parts = text.splitn(3, '|').map(str::to_owned);
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// Every asset group of the tree, depth first, named by its path.
fn group_paths(groups: &[Json], prefix: &str, out: &mut Vec<Opt>) {
    for g in groups {
        let name = json::s(g, "/name");
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix} / {name}")
        };
        out.push(Opt::new(json::text(g, "/id"), path.clone()));
        group_paths(&json::list(g, "/children"), &path, out);
    }
}

/// What Security Center offers `account` (in the UI's language), as
/// checkbox choices: the alert scopes and the asset groups.
fn offered(account: String) -> (Signal<Vec<Opt>>, Signal<Vec<Opt>>) {
    let i18n = use_i18n();
    let lang = move || {
        if i18n.lang() == Lang::ZhCn {
            "zh"
        } else {
            "en"
        }
    };
    let base = format!("/robots/{}", encode(&account));
    let b2 = base.clone();
    // `ScopeChoices` and `AssetGroups`, read by field path.
    let scopes = Remote::follow(move || Some(format!("{base}/choices?lang={}", lang())));
    let groups = Remote::follow(move || Some(format!("{b2}/groups?lang={}", lang())));
    let scope_opts = Signal::derive(move || {
        let mut out = Vec::new();
        for s in scopes.items("/sources") {
            for f in json::list(&s, "/fields") {
                for v in json::list(&f, "/values") {
                    let pick = (
                        json::s(&s, "/name"),
                        json::s(&f, "/key"),
                        json::s(&v, "/value"),
                    );
                    let label = format!(
                        "{} · {}: {}",
                        json::s(&s, "/label"),
                        json::s(&f, "/label"),
                        json::s(&v, "/label")
                    );
                    out.push(Opt::new(pick_value(&pick), label));
                }
            }
        }
        out
    });
    let group_opts = Signal::derive(move || {
        let mut out = Vec::new();
        groups.value.with(|g| {
            if let Some(g) = g {
                group_paths(&json::list(g, "/groups"), "", &mut out);
            }
        });
        out
    });
    (scope_opts, group_opts)
}

fn fields(new: bool, scopes: Signal<Vec<Opt>>, groups: Signal<Vec<Opt>>) -> Vec<FieldSpec> {
    let webhook = FieldSpec::new("webhook", tx::WEBHOOK, Control::Secret)
        .check(|s| WebhookUrl::parse(s).err().map(|_| Problem::Format));
    vec![
        FieldSpec::text("name", crate::i18n::common::NAME)
            .required()
            .check(|s| RobotName::parse(s).err().map(|e| e.problem)),
        if new {
            webhook.required().hint(tx::WEBHOOK_HINT)
        } else {
            webhook.hint(tx::WEBHOOK_KEEP)
        },
        FieldSpec::new("lang", tx::LANG, Control::Select(choices(tx::LANGS))).required(),
        FieldSpec::new("interval", tx::INTERVAL, Control::Number)
            .required()
            .hint(tx::INTERVAL_HINT)
            .check(|s| s.trim().parse::<i64>().err().map(|_| Problem::Format)),
        FieldSpec::new(
            "interval_unit",
            tx::UNIT,
            Control::Select(choices(tx::UNITS)),
        )
        .required(),
        FieldSpec::new("rules", tx::SCOPES, Control::Many(scopes)),
        FieldSpec::new("group_ids", tx::GROUPS, Control::Many(groups)),
    ]
}

/// The typed form as the API takes it; an empty webhook keeps the held one.
fn form(v: &Values) -> RobotForm {
    let picks: Vec<ScopePick> = v.lines("rules").iter().filter_map(|p| pick_of(p)).collect();
    RobotForm {
        name: v.text("name").trim().to_owned(),
        webhook: Some(SecretInput::new(v.text("webhook"))).filter(|w| !w.is_empty()),
        lang: v.text("lang"),
        // A text that is no number was refused in the browser already.
        interval: v.text("interval").trim().parse().unwrap_or(-1),
        interval_unit: v.text("interval_unit"),
        rules: rules_from_picks(&picks),
        group_ids: v
            .lines("group_ids")
            .iter()
            .filter_map(|g| g.parse().ok())
            .collect(),
    }
}

/// What a create will send, for its confirmation (the webhook only as set).
fn create_plan(f: &RobotForm) -> Vec<FieldChange> {
    let change = |field: &str, after: String| FieldChange {
        field: field.into(),
        before: None,
        after: Some(after),
        secret: None,
    };
    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    vec![
        change("name", json(&f.name)),
        FieldChange {
            field: "webhook".into(),
            before: None,
            after: None,
            secret: Some(SecretChange::Changed),
        },
        change("lang", json(&f.lang)),
        change("interval", f.interval.to_string()),
        change("interval_unit", json(&f.interval_unit)),
    ]
}

/// The new-robot drawer for `account`; `created` gets the new row's key.
pub fn create_drawer(
    account: (String, String),
    created: Callback<String>,
    close: Callback<()>,
) -> AnyView {
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let (id, account_name) = account;
    let (scopes, groups) = offered(id.clone());
    let initial = Values::default()
        .with(
            "lang",
            Value::Text(
                if i18n.lang() == Lang::ZhCn {
                    "zh"
                } else {
                    "en"
                }
                .into(),
            ),
        )
        .with("interval", Value::Text("0".into()))
        .with("interval_unit", Value::Text("minutes".into()));
    let title_name = account_name.clone();
    form_drawer(FormSpec {
        id: format!("robot-new-{}", encode(&id).replace('%', "-")),
        title: Signal::derive(move || i18n.fill(tx::NEW_IN, &[&title_name])),
        submit_label: crate::i18n::common::CREATE,
        fields: fields(true, scopes, groups),
        initial,
        on_submit: submit(move |v: Values| {
            let (id, account_name) = (id.clone(), account_name.clone());
            async move {
                let body = form(&v);
                let question = Question {
                    title: i18n.fill(tx::CREATE_Q, &[&body.name, &account_name]),
                    confirm: i18n.fill(tx::CREATE_NAMED, &[&body.name]),
                    danger: false,
                    note: None,
                    changes: create_plan(&body),
                    wording: WORDING,
                };
                if !review.ask(question).await {
                    return Ok(false);
                }
                let path = format!("/robots/{}", encode(&id));
                let key = api::new_idempotency_key();
                // A `RobotSaved`.
                let saved: Json = api::create(&path, &body, &key).await?;
                toasts.ok(
                    crate::i18n::common::CREATED_TOAST,
                    &json::s(&saved, "/robot/name"),
                );
                created.run(format!("{id}/{}", json::int(&saved, "/robot/id")));
                Ok(true)
            }
        }),
        on_close: close,
    })
}

/// The form as `robot` (a `Robot` as the server sent it) is now; the
/// webhook empty (kept). Unreadable scopes start empty.
fn current(robot: &Json) -> Values {
    let mut rules = Vec::new();
    for rule in json::list(robot, "/scopes/known/rules") {
        for item in json::list(&rule, "/items") {
            for value in json::strings(&item, "/values") {
                let pick = (json::s(&rule, "/source"), json::s(&item, "/field"), value);
                rules.push(pick_value(&pick));
            }
        }
    }
    let groups: Vec<String> = json::list(robot, "/scopes/known/group_ids")
        .iter()
        .map(|id| json::text(id, ""))
        .collect();
    let text = |ptr: &str, default: &str| match json::text(robot, ptr) {
        t if t.is_empty() => Value::Text(default.into()),
        t => Value::Text(t),
    };
    Values::default()
        .with("name", text("/name", ""))
        .with("lang", text("/lang", RobotLang::Zh.as_str()))
        .with("interval", text("/interval", "0"))
        .with(
            "interval_unit",
            text("/interval_unit", IntervalUnit::Minutes.as_str()),
        )
        .with("rules", Value::Text(rules.join("\n")))
        .with("group_ids", Value::Text(groups.join("\n")))
}

/// The edit drawer: the server's plan, then the save once confirmed.
pub fn edit_drawer(
    account: String,
    robot: Json,
    saved: Callback<()>,
    close: Callback<()>,
) -> AnyView {
    let (scopes, groups) = offered(account.clone());
    ui_edit_drawer(EditForm {
        path: robot_path(&account, json::int(&robot, "/id")),
        name: json::s(&robot, "/name"),
        title: tx::EDIT_TITLE,
        apply: tx::APPLY,
        fields: fields(false, scopes, groups),
        initial: current(&robot),
        body: |v| api::to_json(&RobotEdit::from(form(v))),
        wording: WORDING,
        saved,
        close,
    })
}
