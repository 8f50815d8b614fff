//! The credentials vault: Alibaba Cloud accounts and DingTalk apps, one
//! tab each (in the URL). Secrets are write-only; an edit shows the
//! server's plan (secrets as replaced or kept) before it applies; one
//! credential per kind is the default the pickers open on.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Action;
use shared::secret::SecretInput;
use shared::validate::Problem;
use shared::vault::{
    AlibabaAccountInput, DingTalkApi, DingTalkAppInput, DingTalkSite, SignatureKind, check_name,
    check_region,
};

use crate::api::{self, Failure};
use crate::auth::use_auth;
use crate::i18n::common as c;
use crate::i18n::vault as tx;
use crate::i18n::{T, use_i18n};
use crate::router::{encode, use_router};
use crate::ui::el::{dynamic, el};
use crate::ui::form::Value;
use crate::ui::{
    Column, Control, DataTable, Edit, FieldSpec, FormSpec, Json, Remote, RowAction, Values,
    Wording, button, choices, delete, form_drawer, json, page_header, review_edit, section_header,
    submit, tab_panel, tabs, use_review, use_toasts,
};

const WORDING: Wording = Wording::labels(&[tx::LABELS]);

/// What differs between the two kinds; the page is the same for both.
struct Kind {
    path: &'static str,
    title: T,
    add: T,
    columns: fn() -> Vec<Column>,
    fields: fn(bool) -> Vec<FieldSpec>,
    initial: fn(&Json) -> Values,
    /// The request body, for a create (`false`) or an edit (`true`).
    body: fn(&Values, bool) -> Result<String, Failure>,
}

fn id(v: &Json) -> String {
    json::text(v, "/id")
}

fn name(v: &Json) -> String {
    json::text(v, "/name")
}

fn text(v: &Json, ptr: &str) -> Value {
    Value::Text(json::text(v, ptr))
}

fn name_field() -> FieldSpec {
    FieldSpec::text("name", c::NAME)
        .required()
        .check(|v| check_name(v).err().map(|e| e.problem))
}

/// A secret: required on create, "leave empty to keep" on edit.
fn secret_field(key: &'static str, label: T, editing: bool) -> FieldSpec {
    let f = FieldSpec::new(key, label, Control::Secret);
    if editing {
        f.hint(tx::KEEP_SECRET)
    } else {
        f.required()
    }
}

fn secret(v: &Values, key: &str) -> Option<SecretInput> {
    v.opt(key).map(SecretInput::from)
}

fn regions_check(text: &str) -> Option<Problem> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .any(|r| check_region(r).is_err())
        .then_some(Problem::Format)
}

fn alibaba() -> Kind {
    Kind {
        path: "/credentials/alibaba",
        title: tx::ALIBABA,
        add: tx::ADD_ALIBABA,
        columns: || {
            vec![
                Column::at(c::NAME, "/name"),
                Column::at(tx::FINGERPRINT, "/fingerprint"),
                Column::text(tx::REGIONS, |a| json::joined(a, "/regions")),
                Column::word(tx::SIGNATURE, "/signature", tx::SIGNATURES),
            ]
        },
        fields: |editing| {
            let mut f = vec![
                name_field(),
                FieldSpec::text("access_key_id", tx::ACCESS_KEY_ID).hint(tx::WRITE_ONLY),
                secret_field("access_key_secret", tx::ACCESS_KEY_SECRET, editing),
                FieldSpec::new("sts_token", tx::STS_TOKEN, Control::Secret),
            ];
            if editing {
                f.push(FieldSpec::new("remove_sts", tx::REMOVE_STS, Control::Check));
            } else {
                f[1] = f[1].clone().required();
            }
            f.push(
                FieldSpec::new(
                    "signature",
                    tx::SIGNATURE,
                    Control::Select(choices(tx::SIGNATURES)),
                )
                .required(),
            );
            f.push(
                FieldSpec::new("regions", tx::REGIONS, Control::Lines)
                    .hint(tx::REGIONS_HINT)
                    .check(regions_check),
            );
            f
        },
        initial: |a| {
            let regions = json::strings(a, "/regions");
            Values::default()
                .with("name", text(a, "/name"))
                .with("signature", text(a, "/signature"))
                .with("regions", Value::Text(regions.join("\n")))
        },
        body: |v, editing| {
            let sts = if v.flag("remove_sts") {
                Some(SecretInput::from(""))
            } else {
                secret(v, "sts_token")
            };
            api::to_json(&AlibabaAccountInput {
                name: v.text("name"),
                // On an edit the key id goes with a new secret only.
                access_key_id: v
                    .opt("access_key_id")
                    .filter(|_| !editing || v.opt("access_key_secret").is_some()),
                access_key_secret: secret(v, "access_key_secret"),
                sts_token: sts,
                signature: SignatureKind::parse(&v.text("signature")).unwrap_or_default(),
                regions: v.lines("regions"),
            })
        },
    }
}

fn dingtalk() -> Kind {
    Kind {
        path: "/credentials/dingtalk",
        title: tx::DINGTALK,
        add: tx::ADD_DINGTALK,
        columns: || {
            vec![
                Column::at(c::NAME, "/name"),
                Column::at(tx::APP_KEY, "/app_key"),
                Column::at(tx::FINGERPRINT, "/fingerprint"),
                Column::word(tx::SITE, "/site", tx::SITES),
                Column::word(tx::API, "/api", tx::APIS),
            ]
        },
        fields: |editing| {
            vec![
                name_field(),
                FieldSpec::text("app_key", tx::APP_KEY).required(),
                secret_field("app_secret", tx::APP_SECRET, editing),
                FieldSpec::new("site", tx::SITE, Control::Select(choices(tx::SITES))).required(),
                FieldSpec::new("api", tx::API, Control::Select(choices(tx::APIS))).required(),
            ]
        },
        initial: |a| {
            Values::default()
                .with("name", text(a, "/name"))
                .with("app_key", text(a, "/app_key"))
                .with("site", text(a, "/site"))
                .with("api", text(a, "/api"))
        },
        body: |v, _| {
            api::to_json(&DingTalkAppInput {
                name: v.text("name"),
                app_key: v.text("app_key"),
                app_secret: secret(v, "app_secret"),
                site: DingTalkSite::parse(&v.text("site")).unwrap_or_default(),
                api: DingTalkApi::parse(&v.text("api")).unwrap_or_default(),
            })
        },
    }
}

/// Which drawer is open: a new one, or an edit of this id and name.
#[derive(Clone, PartialEq)]
enum Open {
    New,
    Edit(String, String, Values),
}

fn panel(kind: Kind) -> AnyView {
    let auth = use_auth();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let review = use_review();
    let router = use_router();
    let Kind {
        path,
        title,
        add,
        columns,
        fields,
        initial,
        body,
    } = kind;
    let list = Remote::follow(move || Some(path.into()));
    let rows = Signal::derive(move || list.items(""));
    let open = RwSignal::new(None::<Open>);
    let manage = auth.can(Action::CredentialsManage);
    let item = move |v: &Json| format!("{path}/{}", encode(&id(v)));
    let mut cols = columns();
    cols.push(Column::new(tx::DEFAULT, move |v: &Json| {
        json::flag(v, "/default")
            .then(|| el("span").class("badge").word(tx::DEFAULT).view())
            .into_any()
    }));
    cols.push(Column::time(c::UPDATED, "/updated_at"));
    if manage {
        let test = RowAction::new(tx::TEST, move |v: &Json| {
            let (path, label) = (format!("{}/test", item(v)), name(v));
            spawn_local(async move {
                // A `ConnectionCheck`.
                match api::send::<Json>(Method::POST, &path, &()).await {
                    Ok(check) if json::flag(&check, "/ok") => toasts.ok(tx::TEST_OK, &label),
                    Ok(check) => {
                        // Reached the upstream, which refused: its words and id.
                        let request_id =
                            Some(json::s(&check, "/request_id")).filter(|r| !r.is_empty());
                        let f = Failure {
                            status: 0,
                            body: Box::new(shared::api::ErrorBody {
                                code: "upstream_rejected".into(),
                                message: json::s(&check, "/message"),
                                field: None,
                                problem: None,
                                request_id,
                                trace_id: None,
                            }),
                        };
                        toasts.failed_at(tx::TEST_FAILED, &label, &f);
                    }
                    Err(f) => toasts.failed_at(tx::TEST_FAILED, &label, &f),
                }
            });
        });
        let make_default = RowAction::new(tx::MAKE_DEFAULT, move |v: &Json| {
            let (path, label) = (format!("{}/default", item(v)), name(v));
            spawn_local(async move {
                match api::send_json_text(Method::PUT, &path, String::new()).await {
                    Ok(_) => {
                        toasts.ok(tx::NOW_DEFAULT, &label);
                        list.reload();
                    }
                    Err(f) => toasts.failed(&f),
                }
            });
        })
        .when(move |v| !json::flag(v, "/default"));
        let edit = RowAction::new(c::EDIT, move |v: &Json| {
            open.set(Some(Open::Edit(id(v), name(v), initial(v))));
        });
        let delete = RowAction::new(c::DELETE, move |v: &Json| {
            let label = name(v);
            let what = i18n.fill(tx::CREDENTIAL, &[&label]);
            let question = i18n.fill(c::CONFIRM_DELETE, &[&what]);
            delete(
                item(v),
                label,
                question,
                Callback::new(move |()| list.reload()),
            );
        })
        .danger();
        cols.push(Column::actions(
            name,
            vec![test, make_default, edit, delete],
        ));
    }
    let drawer = move || {
        let close = Callback::new(move |()| open.set(None));
        open.get().map(|which| {
            let editing = matches!(which, Open::Edit(..));
            let (form_id, label, start) = match &which {
                Open::New => (format!("{}-new", path), String::new(), Values::default()),
                Open::Edit(i, n, v) => (format!("{}-{i}", path), n.clone(), v.clone()),
            };
            let heading = label.clone();
            form_drawer(FormSpec {
                id: form_id.replace('/', "-"),
                title: Signal::derive(move || {
                    if editing {
                        i18n.fill(tx::EDIT_NAMED, &[&heading])
                    } else {
                        i18n.t(add).to_owned()
                    }
                }),
                submit_label: if editing { c::REVIEW } else { c::CREATE },
                fields: fields(editing),
                initial: start,
                on_submit: submit(move |v: Values| {
                    let (which, label) = (which.clone(), label.clone());
                    async move {
                        let json = body(&v, editing)?;
                        match which {
                            Open::New => {
                                let saved = api::create_json_text(path, json, v.key()).await?;
                                let new_id = js_sys::Reflect::get(&saved, &"id".into())
                                    .ok()
                                    .and_then(|id| id.as_string())
                                    .unwrap_or_default();
                                toasts.ok(c::CREATED_TOAST, &v.text("name"));
                                router.set_params(&[("new", new_id)], false);
                            }
                            Open::Edit(item_id, ..) => {
                                let at = format!("{path}/{}", encode(&item_id));
                                let edit = Edit {
                                    preview: format!("{at}/preview"),
                                    method: Method::PUT,
                                    apply: at,
                                    body: json,
                                };
                                let title = i18n.fill(c::PLAN_TITLE, &[&label]);
                                let confirm = i18n.fill(tx::APPLY_NAMED, &[&label]);
                                if review_edit(review, edit, title, confirm, WORDING)
                                    .await?
                                    .is_none()
                                {
                                    return Ok(false);
                                }
                                toasts.ok(c::SAVED, &label);
                            }
                        }
                        list.reload();
                        Ok(true)
                    }
                }),
                on_close: close,
            })
        })
    };
    let add = manage.then(|| {
        button(add, move || open.set(Some(Open::New)))
            .class("primary")
            .view()
    });
    vec![
        section_header(title, add.into_iter().collect()),
        view! {
            <DataTable id=path caption=title rows=rows columns=cols key=id name=name
                highlight=Signal::derive(move || router.param("new"))
                loading=list.loading error=list.error/>
        }
        .into_any(),
        dynamic(drawer),
    ]
    .into_any()
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let (bar, current) = tabs(
        "credentials",
        vec![("alibaba", tx::ALIBABA), ("dingtalk", tx::DINGTALK)],
    );
    let body = dynamic(move || {
        Some(match current.get() {
            "dingtalk" => panel(dingtalk()),
            _ => panel(alibaba()),
        })
    });
    vec![
        page_header(tx::TITLE, Vec::new()),
        el("p").class("hint").word(tx::WRITE_ONLY).view(),
        bar,
        tab_panel("credentials", current, body),
    ]
}
