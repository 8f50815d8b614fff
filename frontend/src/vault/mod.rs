//! The Credentials page: stored Alibaba Cloud accounts and DingTalk apps by
//! name and fingerprint. Secret inputs are write-only: the server never
//! sends a secret back, so there is nothing to show in them.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Action;
use shared::vault::{
    AlibabaAccount, AlibabaAccountInput, ConnectionCheck, DingTalkApi, DingTalkApp,
    DingTalkAppInput, DingTalkSite, SignatureKind,
};

use crate::api;
use crate::auth::{Outcome, failure_text, use_auth};
use crate::i18n::{AuditMsg, I18n, Msg, tr, use_i18n};

type Shown = RwSignal<Option<Result<(), String>>>;

fn report<T>(i18n: I18n, outcome: Shown, result: Result<T, api::Failure>) -> bool {
    let ok = result.is_ok();
    outcome.set(Some(result.map(|_| ()).map_err(|f| failure_text(&f, i18n))));
    ok
}

fn regions_from_text(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let manage = move || auth.can(Action::CredentialsManage);
    let outcome: Shown = RwSignal::new(None);
    let accounts = RwSignal::new(Vec::<AlibabaAccount>::new());
    let apps = RwSignal::new(Vec::<DingTalkApp>::new());
    let reload = move || {
        spawn_local(async move {
            match api::get::<Vec<AlibabaAccount>>("/credentials/alibaba").await {
                Ok(list) => accounts.set(list),
                Err(f) => {
                    report::<()>(i18n, outcome, Err(f));
                }
            }
            if let Ok(list) = api::get::<Vec<DingTalkApp>>("/credentials/dingtalk").await {
                apps.set(list);
            }
        });
    };
    reload();
    let delete = move |path: String| {
        spawn_local(async move {
            report(
                i18n,
                outcome,
                api::send_empty(Method::DELETE, &path, None::<&()>).await,
            );
            reload();
        });
    };
    let replacing = RwSignal::new(None::<Replace>);
    view! {
        <h1>{tr(Msg::Area(shared::area::Area::Credentials))}</h1>
        <p>{tr(Msg::WriteOnlyNote)}</p>
        <Outcome outcome=outcome/>
        <h2>{tr(Msg::AlibabaAccounts)}</h2>
        <table>
            <thead><tr>
                <th scope="col">{tr(Msg::Name)}</th>
                <th scope="col">{tr(Msg::Fingerprint)}</th>
                <th scope="col">{tr(Msg::Signature)}</th>
                <th scope="col">{tr(Msg::Regions)}</th>
                <th scope="col">{tr(Msg::StsToken)}</th>
                <Show when=manage><th scope="col">{tr(Msg::Actions)}</th></Show>
            </tr></thead>
            <tbody>
                {move || accounts.get().into_iter().map(|a| {
                    let path = format!("/credentials/alibaba/{}", a.id);
                    let sig = a.signature;
                    let sts = a.has_sts_token;
                    let replace = Replace::Alibaba(a.clone());
                    view! {
                        <tr>
                            <th scope="row">{a.name.clone()}</th>
                            <td><code>{a.fingerprint.clone()}</code></td>
                            <td>{tr(Msg::SignatureKind(sig))}</td>
                            <td>{a.regions.join(", ")}</td>
                            <td>{tr(if sts { Msg::Yes } else { Msg::No })}</td>
                            <Show when=manage>
                                <td><RowActions path=path.clone() replace=replace.clone() replacing=replacing delete=delete/></td>
                            </Show>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{tr(Msg::DingTalkApps)}</h2>
        <table>
            <thead><tr>
                <th scope="col">{tr(Msg::Name)}</th>
                <th scope="col">{tr(Msg::AppKey)}</th>
                <th scope="col">{tr(Msg::Fingerprint)}</th>
                <th scope="col">{tr(Msg::SiteLabel)}</th>
                <th scope="col">{tr(Msg::ApiPreference)}</th>
                <Show when=manage><th scope="col">{tr(Msg::Actions)}</th></Show>
            </tr></thead>
            <tbody>
                {move || apps.get().into_iter().map(|a| {
                    let path = format!("/credentials/dingtalk/{}", a.id);
                    let (site, api) = (a.site, a.api);
                    let replace = Replace::DingTalk(a.clone());
                    view! {
                        <tr>
                            <th scope="row">{a.name.clone()}</th>
                            <td><code>{a.app_key.clone()}</code></td>
                            <td><code>{a.fingerprint.clone()}</code></td>
                            <td>{tr(Msg::Site(site))}</td>
                            <td>{tr(Msg::Api(api))}</td>
                            <Show when=manage>
                                <td><RowActions path=path.clone() replace=replace.clone() replacing=replacing delete=delete/></td>
                            </Show>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || replacing.get().map(|r| view! { <ReplaceSecretForm target=r replacing=replacing outcome=outcome on_saved=reload/> })}
        <Show when=manage>
            <NewAlibabaForm outcome=outcome on_saved=reload/>
            <NewDingTalkForm outcome=outcome on_saved=reload/>
        </Show>
    }
}

/// Which record's secret is being replaced.
#[derive(Clone, Debug, PartialEq)]
enum Replace {
    Alibaba(AlibabaAccount),
    DingTalk(DingTalkApp),
}

#[component]
fn RowActions(
    path: String,
    replace: Replace,
    replacing: RwSignal<Option<Replace>>,
    delete: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let checked = RwSignal::new(None::<Result<ConnectionCheck, String>>);
    let test_path = format!("{path}/test");
    let test = move |_| {
        let test_path = test_path.clone();
        checked.set(None);
        spawn_local(async move {
            let result = api::send::<ConnectionCheck>(Method::POST, &test_path, &()).await;
            checked.set(Some(result.map_err(|f| failure_text(&f, i18n))));
        });
    };
    // The upstream's own words, and its RequestId for its support.
    let shown = move || {
        checked.get().map(|result| match result {
            Ok(c) => {
                let verdict = i18n.t(if c.ok {
                    Msg::ConnectionOk
                } else {
                    Msg::ConnectionFailed
                });
                let id = c
                    .request_id
                    .map(|id| format!(" ({}: {id})", i18n.t(Msg::Audit(AuditMsg::RequestId))))
                    .unwrap_or_default();
                format!("{verdict}: {}{id}", c.message)
            }
            Err(text) => format!("{}: {text}", i18n.t(Msg::ConnectionFailed)),
        })
    };
    view! {
        <button type="button" on:click=test>{tr(Msg::TestConnection)}</button>
        " "
        <button type="button" on:click=move |_| replacing.set(Some(replace.clone()))>
            {tr(Msg::ReplaceSecret)}
        </button>
        " "
        <button type="button" on:click=move |_| delete(path.clone())>{tr(Msg::Delete)}</button>
        <p role="status">{shown}</p>
    }
}

/// A labelled input; `secret` ones are password inputs browsers must not fill.
#[component]
fn Field(
    id: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] secret: bool,
) -> impl IntoView {
    view! {
        <label for=id>{tr(label)}</label>
        <input id=id type=if secret { "password" } else { "text" }
            autocomplete=if secret { "new-password" } else { "off" } bind:value=value/>
    }
}

#[component]
fn ReplaceSecretForm(
    target: Replace,
    replacing: RwSignal<Option<Replace>>,
    outcome: Shown,
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let sts = RwSignal::new(String::new());
    let alibaba = matches!(target, Replace::Alibaba(_));
    let name = match &target {
        Replace::Alibaba(a) => a.name.clone(),
        Replace::DingTalk(a) => a.name.clone(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = target.clone();
        spawn_local(async move {
            let ok = match target {
                Replace::Alibaba(a) => {
                    let input = AlibabaAccountInput {
                        name: a.name,
                        access_key_id: Some(key_id.get_untracked()),
                        access_key_secret: Some(secret.get_untracked()),
                        sts_token: Some(sts.get_untracked()),
                        signature: a.signature,
                        regions: a.regions,
                    };
                    let path = format!("/credentials/alibaba/{}", a.id);
                    report(
                        i18n,
                        outcome,
                        api::send::<AlibabaAccount>(Method::PUT, &path, &input).await,
                    )
                }
                Replace::DingTalk(a) => {
                    let input = DingTalkAppInput {
                        name: a.name,
                        app_key: a.app_key,
                        app_secret: Some(secret.get_untracked()),
                        site: a.site,
                        api: a.api,
                    };
                    let path = format!("/credentials/dingtalk/{}", a.id);
                    report(
                        i18n,
                        outcome,
                        api::send::<DingTalkApp>(Method::PUT, &path, &input).await,
                    )
                }
            };
            if ok {
                replacing.set(None);
                on_saved();
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit autocomplete="off">
            <h2>{tr(Msg::ReplaceSecret)} ": " {name}</h2>
            <Show when=move || alibaba>
                <Field id="replace-key-id" label=Msg::AccessKeyId value=key_id/>
            </Show>
            <Field id="replace-secret" label=if alibaba { Msg::AccessKeySecret } else { Msg::AppSecret } value=secret secret=true/>
            <Show when=move || alibaba>
                <Field id="replace-sts" label=Msg::StsToken value=sts secret=true/>
            </Show>
            <div>
                <button type="submit">{tr(Msg::ReplaceSecret)}</button>
                " "
                <button type="button" on:click=move |_| replacing.set(None)>{tr(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

#[component]
fn NewAlibabaForm(outcome: Shown, on_saved: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let sts = RwSignal::new(String::new());
    let regions = RwSignal::new(String::new());
    let signature = RwSignal::new(SignatureKind::V3);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = AlibabaAccountInput {
            name: name.get_untracked(),
            access_key_id: Some(key_id.get_untracked()),
            access_key_secret: Some(secret.get_untracked()),
            sts_token: Some(sts.get_untracked()),
            signature: signature.get_untracked(),
            regions: regions_from_text(&regions.get_untracked()),
        };
        spawn_local(async move {
            let r = api::send::<AlibabaAccount>(Method::POST, "/credentials/alibaba", &input).await;
            if report(i18n, outcome, r) {
                for s in [name, key_id, secret, sts, regions] {
                    s.set(String::new());
                }
                on_saved();
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit autocomplete="off">
            <h2>{tr(Msg::Add)} ": " {tr(Msg::AlibabaAccounts)}</h2>
            <Field id="ali-name" label=Msg::Name value=name/>
            <Field id="ali-key-id" label=Msg::AccessKeyId value=key_id/>
            <Field id="ali-secret" label=Msg::AccessKeySecret value=secret secret=true/>
            <Field id="ali-sts" label=Msg::StsToken value=sts secret=true/>
            <label for="ali-signature">{tr(Msg::Signature)}</label>
            <select id="ali-signature" on:change=move |ev| {
                if let Some(k) = SignatureKind::parse(&event_target_value(&ev)) { signature.set(k) }
            }>
                {SignatureKind::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str()>{tr(Msg::SignatureKind(k))}</option>
                }).collect_view()}
            </select>
            <Field id="ali-regions" label=Msg::Regions value=regions/>
            <small>{tr(Msg::RegionsHint)}</small>
            <button type="submit">{tr(Msg::Add)}</button>
        </form>
    }
}

#[component]
fn NewDingTalkForm(outcome: Shown, on_saved: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let app_key = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let site = RwSignal::new(DingTalkSite::Mainland);
    let api_kind = RwSignal::new(DingTalkApi::New);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = DingTalkAppInput {
            name: name.get_untracked(),
            app_key: app_key.get_untracked(),
            app_secret: Some(secret.get_untracked()),
            site: site.get_untracked(),
            api: api_kind.get_untracked(),
        };
        spawn_local(async move {
            let r = api::send::<DingTalkApp>(Method::POST, "/credentials/dingtalk", &input).await;
            if report(i18n, outcome, r) {
                for s in [name, app_key, secret] {
                    s.set(String::new());
                }
                on_saved();
            }
        });
    };
    view! {
        <form class="stack" on:submit=submit autocomplete="off">
            <h2>{tr(Msg::Add)} ": " {tr(Msg::DingTalkApps)}</h2>
            <Field id="ding-name" label=Msg::Name value=name/>
            <Field id="ding-key" label=Msg::AppKey value=app_key/>
            <Field id="ding-secret" label=Msg::AppSecret value=secret secret=true/>
            <label for="ding-site">{tr(Msg::SiteLabel)}</label>
            <select id="ding-site" on:change=move |ev| {
                if let Some(k) = DingTalkSite::parse(&event_target_value(&ev)) { site.set(k) }
            }>
                {DingTalkSite::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str()>{tr(Msg::Site(k))}</option>
                }).collect_view()}
            </select>
            <label for="ding-api">{tr(Msg::ApiPreference)}</label>
            <select id="ding-api" on:change=move |ev| {
                if let Some(k) = DingTalkApi::parse(&event_target_value(&ev)) { api_kind.set(k) }
            }>
                {DingTalkApi::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str()>{tr(Msg::Api(k))}</option>
                }).collect_view()}
            </select>
            <button type="submit">{tr(Msg::Add)}</button>
        </form>
    }
}
