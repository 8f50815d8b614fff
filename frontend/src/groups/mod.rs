//! The Groups area: the catalogue (search by name, owner or member name),
//! a new-group form, and the group page (members that filter as you type,
//! name/owner/settings with a diff before applying, members and admins
//! picked by name or pasted, private chat, nicknames, the join QR code).
//! Auditors see the same pages without the controls that change anything.

pub mod i18n;

use std::collections::HashSet;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::area::Area;
use shared::audit::FieldChange;
use shared::auth::Action;
use shared::groups::{
    AdminsChange, AppChoice, BatchReport, CatalogueGroup, CataloguePage, CreateReport, GroupDetail,
    GroupEdit, GroupSettings, ImportRequest, JoinLink, LabelsChange, LastSet, MemberView,
    MembersChange, NewGroupRequest, NicknameChange, Person, PrivateChatChange, SettingsPatch,
    check_labels,
};
use shared::outcome::{ItemOutcome, ItemStatus};

pub use self::i18n::GroupsMsg;
use crate::api::{self, Failure};
use crate::audit::show_time;
use crate::auth::use_auth;
use crate::i18n::{Msg, tr, use_i18n};
use crate::router::{Link, use_router};
use crate::ui::table::SortKey;
use crate::ui::{
    ActionResult, ActionStatus, Column, ConfirmDialog, DataTable, DiffView, ErrorPanel, Field,
    Form, Request, ServerPaging, invalid,
};

/// Where one group's page lives: `/groups/{id}`.
pub const PREFIX: &str = "/groups/";
const PAGE: usize = shared::groups::CATALOGUE_PAGE as usize;

fn g(msg: GroupsMsg) -> Msg {
    Msg::Groups(msg)
}

/// Splits pasted ids or names on commas, semicolons and line breaks.
fn pasted(text: &str) -> Vec<String> {
    text.split([',', ';', '\n', '\r', '\t', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// `/groups` shows the catalogue, `/groups/{id}` one group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let router = use_router();
    move || {
        let path = router.path();
        match path.strip_prefix(PREFIX).filter(|id| !id.is_empty()) {
            Some(id) => view! { <GroupView id=id.to_owned()/> }.into_any(),
            None => view! { <CatalogueView/> }.into_any(),
        }
    }
}

#[component]
fn CatalogueView() -> impl IntoView {
    let can_write = use_auth().can(Action::GroupsWrite);
    let query = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<CatalogueGroup>::new());
    let total = RwSignal::new(None::<usize>);
    let page = RwSignal::new(0_usize);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<Failure>);
    let load = move |to: usize| {
        loading.set(true);
        page.set(to);
        let q = query.get_untracked();
        spawn_local(async move {
            let path = format!("/groups?q={}&offset={}", encode(q.trim()), to * PAGE);
            let answer = api::get::<CataloguePage>(&path).await;
            // The user may have opened a group meanwhile: then nothing to show.
            let _ = match answer {
                Ok(p) => total
                    .try_set(usize::try_from(p.total).ok())
                    .and(rows.try_set(p.groups))
                    .and(error.try_set(None)),
                Err(f) => error.try_set(Some(f)),
            };
            let _ = loading.try_set(false);
        });
    };
    load(0);
    let columns = vec![
        Column::new(g(GroupsMsg::Name), |c: &CatalogueGroup| {
            let (href, name) = (format!("{PREFIX}{}", c.id), c.name.clone());
            view! { <Link href=href>{name}</Link> }.into_any()
        })
        .sort_by(|c: &CatalogueGroup| SortKey::Text(c.name.to_lowercase())),
        Column::text(g(GroupsMsg::App), |c: &CatalogueGroup| c.app_name.clone()),
        Column::text(g(GroupsMsg::Owner), |c: &CatalogueGroup| owner_text(c)),
        Column::new(g(GroupsMsg::MemberCount), |c: &CatalogueGroup| {
            c.member_count.to_string().into_any()
        })
        .sort_by(|c: &CatalogueGroup| SortKey::Number(i64::from(c.member_count))),
        Column::new(g(GroupsMsg::Status), |c: &CatalogueGroup| {
            status(c.dismissed)
        }),
        Column::text(g(GroupsMsg::Labels), |c: &CatalogueGroup| {
            c.labels
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }),
    ];
    let paging = ServerPaging {
        page: page.into(),
        page_size: PAGE,
        total: total.into(),
        has_next: Signal::derive(move || total.get().is_some_and(|t| (page.get() + 1) * PAGE < t)),
        on_page: Callback::new(load),
    };
    view! {
        <h1>{tr(Msg::Area(Area::Groups))}</h1>
        <form role="search" class="stack" on:submit=move |ev| {
            ev.prevent_default();
            load(0);
        }>
            <Field id="group-search" label=g(GroupsMsg::SearchLabel) value=query/>
            <div class="actions">
                <button type="submit">{tr(g(GroupsMsg::Search))}</button>
            </div>
        </form>
        <DataTable id="groups" caption=g(GroupsMsg::Catalogue) rows=rows columns
            key=|c: &CatalogueGroup| c.id.clone() loading=loading error=error
            server=paging empty=g(GroupsMsg::NoGroups)/>
        {can_write.then(|| view! {
            <NewGroupForm/>
            <ImportForm imported=Callback::new(move |()| load(0))/>
        })}
    }
}

fn owner_text(c: &CatalogueGroup) -> String {
    match (&c.owner_name, &c.owner) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.to_string(),
        _ => String::new(),
    }
}

fn status(dismissed: bool) -> AnyView {
    tr(g(if dismissed {
        GroupsMsg::Dismissed
    } else {
        GroupsMsg::Active
    }))
    .into_any()
}

/// The six switches, in plain words, in the order of [`GroupSettings`].
const SETTINGS: [(GroupsMsg, &str); 6] = [
    (GroupsMsg::Muted, "muted"),
    (GroupsMsg::Searchable, "searchable"),
    (GroupsMsg::JoinApproval, "join_needs_approval"),
    (GroupsMsg::OnlyOwnerMentionsAll, "only_owner_mentions_all"),
    (GroupsMsg::OnlyOwnerManages, "only_owner_manages"),
    (GroupsMsg::NewMembersSeeHistory, "new_members_see_history"),
];

fn settings_array(s: GroupSettings) -> [bool; 6] {
    [
        s.muted,
        s.searchable,
        s.join_needs_approval,
        s.only_owner_mentions_all,
        s.only_owner_manages,
        s.new_members_see_history,
    ]
}

fn settings_of(a: [bool; 6]) -> GroupSettings {
    GroupSettings {
        muted: a[0],
        searchable: a[1],
        join_needs_approval: a[2],
        only_owner_mentions_all: a[3],
        only_owner_manages: a[4],
        new_members_see_history: a[5],
    }
}

/// Six labelled checkboxes bound to `values`.
#[component]
fn SettingsBoxes(id: &'static str, values: RwSignal<[bool; 6]>) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{tr(g(GroupsMsg::Settings))}</legend>
            {SETTINGS
                .iter()
                .enumerate()
                .map(|(i, (msg, name))| {
                    let input_id = format!("{id}-{name}");
                    view! {
                        <div class="field check">
                            <input type="checkbox" id=input_id.clone()
                                prop:checked=move || values.get()[i]
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    values.update(|v| v[i] = on);
                                }/>
                            <label for=input_id>{tr(g(*msg))}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// Find people by name and pick them; picked people show with a button
/// to unpick each.
#[component]
fn PeoplePicker(
    id: &'static str,
    #[prop(into)] app_id: Signal<String>,
    picked: RwSignal<Vec<Person>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let word = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<Person>>);
    let error = RwSignal::new(None::<Failure>);
    let search = move || {
        let (app, q) = (app_id.get_untracked(), word.get_untracked());
        if q.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            let path = format!(
                "/groups/people?app_id={}&q={}",
                encode(&app),
                encode(q.trim())
            );
            let _ = match api::get::<Vec<Person>>(&path).await {
                Ok(people) => found.try_set(Some(people)).and(error.try_set(None)),
                Err(f) => error.try_set(Some(f)),
            };
        });
    };
    let field_id: &'static str = id;
    view! {
        <div class="people-picker" on:keydown=move |ev| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                search();
            }
        }>
            <Field id=field_id label=g(GroupsMsg::FindPeople) value=word
                hint=g(GroupsMsg::FindPeopleHint)/>
            <div class="actions">
                <button type="button" on:click=move |_| search()>{tr(g(GroupsMsg::Search))}</button>
            </div>
            <ErrorPanel error=error/>
            {move || found.get().map(|people| {
                if people.is_empty() {
                    return view! { <p role="status">{tr(g(GroupsMsg::NoneFound))}</p> }.into_any();
                }
                view! {
                    <ul class="found">
                        {people.into_iter().map(|p| {
                            let label = format!("{} ({})", p.name, p.user_id);
                            let text = label.clone();
                            view! {
                                <li>
                                    <button type="button" on:click=move |_| {
                                        let p = p.clone();
                                        picked.update(|list| if !list.iter().any(|x| x.user_id == p.user_id) {
                                            list.push(p);
                                        });
                                    }>
                                        {move || i18n.fill(g(GroupsMsg::AddPerson), &text)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            })}
            {move || (!picked.with(Vec::is_empty)).then(|| view! {
                <p>{tr(g(GroupsMsg::Picked))}</p>
                <ul class="picked">
                    {picked.get().into_iter().map(|p| {
                        let label = format!("{} ({})", p.name, p.user_id);
                        let (shown, id) = (label.clone(), p.user_id.clone());
                        view! {
                            <li>
                                {shown}
                                " "
                                <button type="button" on:click=move |_| {
                                    picked.update(|list| list.retain(|x| x.user_id != id));
                                }>
                                    {move || i18n.fill(g(GroupsMsg::Unpick), &label)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The picked people's ids followed by the pasted values.
fn people_and_pasted(picked: &[Person], text: &str) -> Vec<String> {
    let mut out: Vec<String> = picked.iter().map(|p| p.user_id.to_string()).collect();
    for value in pasted(text) {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// The DingTalk apps groups live in, the first one chosen.
#[component]
fn AppPicker(id: &'static str, app_id: RwSignal<String>) -> impl IntoView {
    let apps = RwSignal::new(Vec::<AppChoice>::new());
    spawn_local(async move {
        if let Ok(list) = api::get::<Vec<AppChoice>>("/groups/apps").await {
            if let Some(first) = list.first() {
                let _ = app_id.try_set(first.id.clone());
            }
            let _ = apps.try_set(list);
        }
    });
    view! {
        <div class="field">
            <label for=id>{tr(g(GroupsMsg::App))}</label>
            <select id=id on:change=move |ev| app_id.set(event_target_value(&ev))>
                {move || apps.get().into_iter().map(|a| {
                    let selected = app_id.get() == a.id;
                    view! { <option value=a.id.clone() selected=selected>{a.name.clone()}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Adds a group made outside chatdesk; DingTalk must be able to read it.
#[component]
fn ImportForm(imported: Callback<()>) -> impl IntoView {
    let app_id = RwSignal::new(String::new());
    let chat_id = RwSignal::new(String::new());
    let labels = RwSignal::new(String::new());
    let made = RwSignal::new(None::<CatalogueGroup>);
    let on_submit = move |_key: String| -> Option<Request> {
        let body = ImportRequest {
            app_id: app_id.get_untracked(),
            chat_id: chat_id.get_untracked().trim().to_owned(),
            labels: pasted(&labels.get_untracked()),
        };
        Some(Box::pin(async move {
            let group = api::send::<CatalogueGroup>(Method::POST, "/groups/import", &body).await?;
            made.set(Some(group));
            imported.run(());
            Ok(())
        }))
    };
    view! {
        <Form id="import-group" heading=g(GroupsMsg::ImportGroup) submit=g(GroupsMsg::Import) on_submit>
            <AppPicker id="import-group-app" app_id/>
            <Field id="import-chat-id" label=g(GroupsMsg::ChatIdField) value=chat_id name="chat_id"
                required=true hint=g(GroupsMsg::ChatIdHint)
                check=|v: String| shared::groups::ChatId::parse(v.trim()).map(drop).map_err(invalid)/>
            <Field id="import-labels" label=g(GroupsMsg::Labels) value=labels name="labels"
                hint=g(GroupsMsg::LabelsHint)
                check=|v: String| check_labels(&pasted(&v)).map(drop).map_err(invalid)/>
        </Form>
        {move || made.get().map(|c| view! {
            <p><Link href=format!("{PREFIX}{}", c.id)>{c.name.clone()}</Link></p>
        })}
    }
}

#[component]
fn NewGroupForm() -> impl IntoView {
    let app_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let members = RwSignal::new(String::new());
    let labels = RwSignal::new(String::new());
    let picked = RwSignal::new(Vec::<Person>::new());
    let settings = RwSignal::new([false; 6]);
    let report = RwSignal::new(None::<BatchReport>);
    let made = RwSignal::new(None::<CatalogueGroup>);
    let on_submit = move |key: String| -> Option<Request> {
        let body = NewGroupRequest {
            app_id: app_id.get_untracked(),
            name: name.get_untracked(),
            owner: owner.get_untracked(),
            members: people_and_pasted(&picked.get_untracked(), &members.get_untracked()),
            settings: settings_of(settings.get_untracked()),
            labels: pasted(&labels.get_untracked()),
        };
        Some(Box::pin(async move {
            let created = api::create::<CreateReport>("/groups", &body, &key).await?;
            report.set(Some(created.members));
            made.set(Some(created.group));
            Ok(())
        }))
    };
    view! {
        <Form id="new-group" heading=g(GroupsMsg::NewGroup) submit=g(GroupsMsg::Create) on_submit>
            <AppPicker id="new-group-app" app_id/>
            <Field id="new-group-name" label=g(GroupsMsg::Name) value=name name="name" required=true
                check=|v: String| shared::groups::GroupName::parse(&v).map(drop).map_err(invalid)/>
            <Field id="new-group-owner" label=g(GroupsMsg::Owner) value=owner name="owner" required=true
                hint=g(GroupsMsg::OwnerHint)/>
            <PeoplePicker id="new-group-people" app_id=app_id picked/>
            <Field id="new-group-members" label=g(GroupsMsg::MembersField) value=members name="members"
                hint=g(GroupsMsg::MembersHint)/>
            <Field id="new-group-labels" label=g(GroupsMsg::Labels) value=labels name="labels"
                hint=g(GroupsMsg::LabelsHint)
                check=|v: String| check_labels(&pasted(&v)).map(drop).map_err(invalid)/>
            <SettingsBoxes id="new-group-settings" values=settings/>
        </Form>
        {move || made.get().map(|c| view! {
            <p><Link href=format!("{PREFIX}{}", c.id)>{c.name.clone()}</Link></p>
        })}
        {move || report.get().map(|r| view! { <ReportView report=r/> })}
    }
}

/// Each person's result of a batch: partial failures are never hidden.
#[component]
fn ReportView(report: BatchReport) -> impl IntoView {
    let rows: Vec<(&'static str, ItemOutcome)> = report
        .remove
        .into_iter()
        .map(|i| ("-", i))
        .chain(report.add.into_iter().map(|i| ("+", i)))
        .collect();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="report-caption">
            <table class="report">
                <caption id="report-caption">{tr(g(GroupsMsg::Results))}</caption>
                <thead><tr>
                    <th scope="col">{tr(g(GroupsMsg::Name))}</th>
                    <th scope="col">{tr(g(GroupsMsg::UserId))}</th>
                    <th scope="col">{tr(g(GroupsMsg::Status))}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(sign, i)| {
                        let outcome = match i.status {
                            ItemStatus::Done { .. } => GroupsMsg::Succeeded,
                            ItemStatus::Unchanged => GroupsMsg::Unchanged,
                            ItemStatus::Failed { .. } => GroupsMsg::Failed,
                        };
                        let failed = i.error().is_some();
                        let detail = i.error().map(|e| match &e.request_id {
                            Some(r) => format!(" {} (RequestId {r})", e.message),
                            None => format!(" {}", e.message),
                        });
                        view! {
                            <tr class:failed=failed>
                                <th scope="row">{sign} " " {i.name.clone().unwrap_or_default()}</th>
                                <td><code>{i.id.clone()}</code></td>
                                <td>{tr(g(outcome))}{detail}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn last_set_text(last: Option<&LastSet<String>>, by: impl Fn(&str) -> String) -> String {
    match last {
        Some(l) => format!("{} ({}, {})", l.value, by(&l.by), show_time(l.at)),
        None => String::new(),
    }
}

fn role_of(m: &MemberView) -> GroupsMsg {
    if m.owner {
        GroupsMsg::RoleOwner
    } else if m.admin {
        GroupsMsg::RoleAdmin
    } else {
        GroupsMsg::RoleMember
    }
}

fn member_label(m: &MemberView) -> String {
    match &m.name {
        Some(name) => format!("{name} ({})", m.user_id),
        None => m.user_id.to_string(),
    }
}

#[component]
fn GroupView(id: String) -> impl IntoView {
    let can_write = use_auth().can(Action::GroupsWrite);
    let detail = RwSignal::new(None::<GroupDetail>);
    let error = RwSignal::new(None::<Failure>);
    let loading = RwSignal::new(true);
    let path = StoredValue::new(format!("/groups/{id}"));
    let tick = RwSignal::new(0_u32);
    Effect::new(move |_| {
        tick.track();
        loading.set(true);
        let path = path.get_value();
        spawn_local(async move {
            let answer = api::get::<GroupDetail>(&path).await;
            // Signals of a page the user left are gone: nothing to show.
            let _ = match answer {
                Ok(d) => detail.try_set(Some(d)).and(error.try_set(None)),
                Err(f) => error.try_set(Some(f)),
            };
            let _ = loading.try_set(false);
        });
    });
    // Once, not on every reload: the forms keep their state (and their
    // pending requests) while the group is read again.
    let loaded = Memo::new(move |_| detail.with(Option::is_some));
    let members = Signal::derive(move || {
        detail.with(|d| d.as_ref().map(|d| d.members.clone()).unwrap_or_default())
    });
    let selection = RwSignal::new(HashSet::<String>::new());
    let result = ActionResult::new();
    let report = RwSignal::new(None::<BatchReport>);
    let act = Done {
        report,
        result,
        tick,
    };
    view! {
        <p><Link href="/groups">{tr(g(GroupsMsg::AllGroups))}</Link></p>
        <h1>{move || detail.with(|d| d.as_ref().map(|d| d.group.name.clone()).unwrap_or_default())}</h1>
        {move || loading.get().then(|| view! { <p role="status">{tr(g(GroupsMsg::Loading))}</p> })}
        <ErrorPanel error=error/>
        {move || detail.get().map(|d| view! { <Facts detail=d/> })}
        <ActionStatus result/>
        {move || report.get().map(|r| view! { <ReportView report=r/> })}
        <h2>{tr(g(GroupsMsg::Members))}</h2>
        {move || detail.with(|d| d.as_ref().and_then(|d| d.names_error.clone())).map(|e| view! {
            <p role="status">{tr(g(GroupsMsg::NamesError))} " " {e}</p>
        })}
        <MemberTable rows=members loading selection=can_write.then_some(selection)/>
        {can_write.then(|| view! { <MemberActions detail selection act/> })}
        {move || (can_write && loaded.get()).then(|| view! {
            <AddMembers detail act/>
            <EditGroup detail act/>
            <PrivateChat detail act/>
            <Nickname detail act/>
            <EditLabels detail act/>
            <JoinQr detail/>
        })}
    }
}

/// How an action reports back to the group page: the per-person report
/// of a batch, or the failure; the page then reloads.
#[derive(Clone, Copy)]
struct Done {
    report: RwSignal<Option<BatchReport>>,
    result: ActionResult,
    /// Bumped to reload the group.
    tick: RwSignal<u32>,
}

impl Done {
    fn finish(self, outcome: Result<Option<BatchReport>, Failure>) {
        // The user may have left the page before DingTalk answered.
        if self.tick.try_get_untracked().is_none() {
            return;
        }
        if let Ok(r) = &outcome {
            self.report.set(r.clone());
        }
        self.result.report(outcome);
        self.tick.update(|t| *t += 1);
    }
}

/// Runs `call` and reports its outcome through `act`.
/// Boxed, so the task that awaits it is compiled once for every action.
type GroupCall =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<BatchReport>, Failure>>>>;

fn run(act: Done, call: GroupCall) {
    spawn_local(async move { act.finish(call.await) });
}

#[component]
fn Facts(detail: GroupDetail) -> impl IntoView {
    let c = &detail.group;
    let private = detail.private_chat.clone();
    view! {
        <section aria-labelledby="facts-title">
            <h2 id="facts-title">{tr(g(GroupsMsg::Facts))}</h2>
            <dl class="facts">
                <dt>{tr(g(GroupsMsg::App))}</dt><dd>{c.app_name.clone()}</dd>
                <dt>{tr(g(GroupsMsg::Owner))}</dt><dd>{owner_text(c)}</dd>
                <dt>{tr(g(GroupsMsg::Status))}</dt><dd>{status(c.dismissed)}</dd>
                <dt>{tr(g(GroupsMsg::MemberCount))}</dt><dd>{c.member_count}</dd>
                <dt>{tr(g(GroupsMsg::Labels))}</dt><dd>{c.labels.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{tr(g(GroupsMsg::ApiGeneration))}</dt><dd>{tr(Msg::Api(detail.api))}</dd>
                <dt>{tr(g(GroupsMsg::PrivateChat))}</dt>
                <dd>{match private {
                    Some(p) => view! {
                        {tr(g(if p.value { GroupsMsg::PrivateAllowed } else { GroupsMsg::PrivateForbidden }))}
                        {format!(" ({}, {})", p.by, show_time(p.at))}
                    }.into_any(),
                    None => view! { <em>{tr(g(GroupsMsg::Unknown))}</em> }.into_any(),
                }}</dd>
                {SETTINGS.iter().zip(settings_array(detail.settings)).map(|((msg, _), on)| view! {
                    <dt>{tr(g(*msg))}</dt>
                    <dd>{tr(if on { Msg::Yes } else { Msg::No })}</dd>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// Bulk actions on the selected rows: remove them, or make them admins.
#[component]
fn MemberActions(
    detail: RwSignal<Option<GroupDetail>>,
    selection: RwSignal<HashSet<String>>,
    act: Done,
) -> impl IntoView {
    let i18n = use_i18n();
    // Which confirmation is open: remove or make admin.
    let asking = RwSignal::new(None::<bool>);
    let chosen = move || {
        let selected = selection.get();
        detail.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.members
                        .iter()
                        .filter(|m| selected.contains(m.user_id.as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let names = move || {
        chosen()
            .iter()
            .map(member_label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let confirm = move |_| {
        let (Some(remove), Some(d)) = (asking.get_untracked(), detail.get_untracked()) else {
            return;
        };
        asking.set(None);
        let ids: Vec<String> = chosen().iter().map(|m| m.user_id.to_string()).collect();
        selection.set(HashSet::new());
        let path = format!("/groups/{}", d.group.id);
        run(
            act,
            Box::pin(async move {
                if remove {
                    let body = MembersChange {
                        remove: ids,
                        ..MembersChange::default()
                    };
                    api::send::<BatchReport>(Method::POST, &format!("{path}/members"), &body)
                        .await
                        .map(Some)
                } else {
                    let body = AdminsChange {
                        add: ids,
                        ..AdminsChange::default()
                    };
                    api::send::<BatchReport>(Method::POST, &format!("{path}/admins"), &body)
                        .await
                        .map(Some)
                }
            }),
        );
    };
    let none = move || selection.with(HashSet::is_empty);
    view! {
        <div class="actions">
            <button type="button" class="danger" disabled=none on:click=move |_| asking.set(Some(true))>
                {tr(g(GroupsMsg::RemoveSelected))}
            </button>
            <button type="button" disabled=none on:click=move |_| asking.set(Some(false))>
                {tr(g(GroupsMsg::MakeAdmin))}
            </button>
        </div>
        <p class="hint">{tr(g(GroupsMsg::AdminsHint))}</p>
        <ConfirmDialog open=Signal::derive(move || asking.get().is_some())
            title=Signal::derive(move || {
                let msg = if asking.get() == Some(true) { GroupsMsg::ConfirmRemove } else { GroupsMsg::ConfirmAdmins };
                i18n.fill(g(msg), &names())
            })
            confirm=g(GroupsMsg::Apply) danger=true
            on_confirm=confirm on_cancel=move |_| asking.set(None)/>
    }
}

/// Add members picked by name or pasted as ids or names, after confirming.
#[component]
fn AddMembers(detail: RwSignal<Option<GroupDetail>>, act: Done) -> impl IntoView {
    let i18n = use_i18n();
    let app_id = Signal::derive(move || {
        detail.with(|d| {
            d.as_ref()
                .map(|d| d.group.app_id.clone())
                .unwrap_or_default()
        })
    });
    let picked = RwSignal::new(Vec::<Person>::new());
    let text = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let values = move || people_and_pasted(&picked.get(), &text.get());
    let shown = move || {
        let mut names: Vec<String> = picked
            .get()
            .iter()
            .map(|p| format!("{} ({})", p.name, p.user_id))
            .collect();
        names.extend(pasted(&text.get()));
        names.join(", ")
    };
    let confirm = move |_| {
        asking.set(false);
        let Some(d) = detail.get_untracked() else {
            return;
        };
        let body = MembersChange {
            add: values(),
            ..MembersChange::default()
        };
        picked.set(Vec::new());
        text.set(String::new());
        run(
            act,
            Box::pin(async move {
                api::send::<BatchReport>(
                    Method::POST,
                    &format!("/groups/{}/members", d.group.id),
                    &body,
                )
                .await
                .map(Some)
            }),
        );
    };
    view! {
        <section class="stack" aria-labelledby="add-members-title">
            <h2 id="add-members-title">{tr(g(GroupsMsg::AddMembers))}</h2>
            <PeoplePicker id="add-people" app_id picked/>
            <Field id="add-pasted" label=g(GroupsMsg::MembersField) value=text hint=g(GroupsMsg::MembersHint)/>
            <div class="actions">
                <button type="button" disabled=move || values().is_empty() on:click=move |_| asking.set(true)>
                    {tr(g(GroupsMsg::AddMembers))}
                </button>
            </div>
        </section>
        <ConfirmDialog open=asking
            title=Signal::derive(move || i18n.fill(g(GroupsMsg::ConfirmAdd), &values().len().to_string()))
            confirm=g(GroupsMsg::Add) on_confirm=confirm on_cancel=move |_| asking.set(false)>
            <p>{shown}</p>
        </ConfirmDialog>
    }
}

/// Name, owner and the six switches; a diff is shown before applying.
#[component]
fn EditGroup(detail: RwSignal<Option<GroupDetail>>, act: Done) -> impl IntoView {
    let i18n = use_i18n();
    let current = detail.get_untracked();
    let (name0, owner0, settings0) = current
        .as_ref()
        .map(|d| {
            (
                d.group.name.clone(),
                d.group
                    .owner
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                settings_array(d.settings),
            )
        })
        .unwrap_or_default();
    let name = RwSignal::new(name0);
    let owner = RwSignal::new(owner0);
    let settings = RwSignal::new(settings0);
    let pending = RwSignal::new(None::<(GroupEdit, Vec<FieldChange>)>);
    // The server plans the edit (the same plan applying it makes) and the
    // dialog shows that plan.
    let on_submit = move |_key: String| -> Option<Request> {
        let d = detail.get_untracked()?;
        let old_owner = d
            .group
            .owner
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let (name, owner) = (name.get_untracked(), owner.get_untracked());
        let edit = GroupEdit {
            name: (name.trim() != d.group.name).then(|| name.trim().to_owned()),
            owner: (owner.trim() != old_owner).then(|| owner.trim().to_owned()),
            settings: SettingsPatch::between(d.settings, settings_of(settings.get_untracked())),
        };
        let path = format!("/groups/{}/preview", d.group.id);
        Some(Box::pin(async move {
            let changes = api::send::<Vec<FieldChange>>(Method::POST, &path, &edit).await?;
            pending.set(Some((edit, changes)));
            Ok(())
        }))
    };
    let confirm = move |_| {
        let (Some((edit, _)), Some(d)) = (pending.get_untracked(), detail.get_untracked()) else {
            return;
        };
        pending.set(None);
        run(
            act,
            Box::pin(async move {
                api::send::<GroupDetail>(Method::PATCH, &format!("/groups/{}", d.group.id), &edit)
                    .await
                    .map(|_| None)
            }),
        );
    };
    let title = Signal::derive(move || {
        let group = detail.with(|d| d.as_ref().map(|d| d.group.name.clone()).unwrap_or_default());
        i18n.fill(g(GroupsMsg::ConfirmEdit), &group)
    });
    view! {
        <Form id="edit-group" heading=g(GroupsMsg::Edit) submit=g(GroupsMsg::Review) on_submit>
            <Field id="edit-name" label=g(GroupsMsg::Name) value=name name="name" required=true
                check=|v: String| shared::groups::GroupName::parse(&v).map(drop).map_err(invalid)/>
            <Field id="edit-owner" label=g(GroupsMsg::Owner) value=owner name="owner" required=true
                hint=g(GroupsMsg::OwnerHint)/>
            <SettingsBoxes id="edit-settings" values=settings/>
        </Form>
        <ConfirmDialog open=Signal::derive(move || pending.with(Option::is_some)) title
            confirm=g(GroupsMsg::Apply) on_confirm=confirm on_cancel=move |_| pending.set(None)>
            {move || pending.get().map(|(_, changes)| view! { <DiffView changes/> })}
        </ConfirmDialog>
    }
}

#[component]
fn PrivateChat(detail: RwSignal<Option<GroupDetail>>, act: Done) -> impl IntoView {
    let allowed = RwSignal::new(String::from("allowed"));
    let save = move |_| {
        let Some(d) = detail.get_untracked() else {
            return;
        };
        let body = PrivateChatChange {
            allowed: allowed.get_untracked() == "allowed",
        };
        run(
            act,
            Box::pin(async move {
                api::send::<LastSet<bool>>(
                    Method::PUT,
                    &format!("/groups/{}/private-chat", d.group.id),
                    &body,
                )
                .await
                .map(|_| None)
            }),
        );
    };
    view! {
        <section class="stack" aria-labelledby="private-title">
            <h2 id="private-title">{tr(g(GroupsMsg::PrivateChat))}</h2>
            <crate::ui::Choice id="private-chat" label=g(GroupsMsg::PrivateChat) value=allowed
                options=vec![("allowed", g(GroupsMsg::PrivateAllowed)), ("forbidden", g(GroupsMsg::PrivateForbidden))]/>
            <div class="actions">
                <button type="button" on:click=save>{tr(g(GroupsMsg::Save))}</button>
            </div>
        </section>
    }
}

#[component]
fn Nickname(detail: RwSignal<Option<GroupDetail>>, act: Done) -> impl IntoView {
    let member = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let on_submit = move |_key: String| -> Option<Request> {
        let d = detail.get_untracked()?;
        let body = NicknameChange {
            user_id: member.get_untracked(),
            nickname: nickname.get_untracked(),
        };
        Some(Box::pin(async move {
            let r = api::send::<LastSet<String>>(
                Method::PUT,
                &format!("/groups/{}/nickname", d.group.id),
                &body,
            )
            .await
            .map(|_| None);
            let ok = r.as_ref().map(drop).map_err(Clone::clone);
            act.finish(r);
            ok
        }))
    };
    view! {
        <Form id="nickname" heading=g(GroupsMsg::SetNickname) submit=g(GroupsMsg::Save) on_submit>
            <Field id="nickname-member" label=g(GroupsMsg::NicknameMember) value=member name="user_id" required=true/>
            <Field id="nickname-value" label=g(GroupsMsg::Nickname) value=nickname name="nickname"/>
        </Form>
    }
}

/// chatdesk's own labels (no DingTalk call), one per line or comma.
#[component]
fn EditLabels(detail: RwSignal<Option<GroupDetail>>, act: Done) -> impl IntoView {
    let labels = RwSignal::new(
        detail
            .get_untracked()
            .map(|d| {
                d.group
                    .labels
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
    );
    let on_submit = move |_key: String| -> Option<Request> {
        let d = detail.get_untracked()?;
        let body = LabelsChange {
            labels: pasted(&labels.get_untracked()),
        };
        Some(Box::pin(async move {
            let r = api::send::<CatalogueGroup>(
                Method::PUT,
                &format!("/groups/{}/labels", d.group.id),
                &body,
            )
            .await
            .map(|_| None);
            let ok = r.as_ref().map(drop).map_err(Clone::clone);
            act.finish(r);
            ok
        }))
    };
    view! {
        <Form id="group-labels" heading=g(GroupsMsg::EditLabels) submit=g(GroupsMsg::Save) on_submit>
            <Field id="group-labels-value" label=g(GroupsMsg::Labels) value=labels name="labels"
                hint=g(GroupsMsg::LabelsHint)
                check=|v: String| check_labels(&pasted(&v)).map(drop).map_err(invalid)/>
        </Form>
    }
}

/// The join link as a QR code the server draws, with a copy button.
#[component]
fn JoinQr(detail: RwSignal<Option<GroupDetail>>) -> impl IntoView {
    let i18n = use_i18n();
    let link = RwSignal::new(None::<JoinLink>);
    let error = RwSignal::new(None::<Failure>);
    let copied = RwSignal::new(false);
    let id = move || detail.with(|d| d.as_ref().map(|d| d.group.id.clone()).unwrap_or_default());
    let show = move |_| {
        let id = id();
        spawn_local(async move {
            let _ = match api::get::<JoinLink>(&format!("/groups/{id}/join-link")).await {
                Ok(l) => link.try_set(Some(l)).and(error.try_set(None)),
                Err(f) => error.try_set(Some(f)),
            };
        });
    };
    view! {
        <section class="stack" aria-labelledby="qr-title">
            <h2 id="qr-title">{tr(g(GroupsMsg::JoinQr))}</h2>
            <div class="actions">
                <button type="button" on:click=show>{tr(g(GroupsMsg::ShowQr))}</button>
            </div>
            <ErrorPanel error=error/>
            {move || link.get().map(|l| {
                let name = detail.with(|d| d.as_ref().map(|d| d.group.name.clone()).unwrap_or_default());
                let text = l.link.clone();
                view! {
                    <img class="qr" width="240" height="240"
                        src=format!("{}/groups/{}/qr.svg", shared::api::API_PREFIX, id())
                        alt=move || i18n.fill(g(GroupsMsg::QrAlt), &name)/>
                    <p>{tr(g(GroupsMsg::JoinLink))} ": " <code>{l.link.clone()}</code></p>
                    <div class="actions">
                        <button type="button" on:click=move |_| copied.set(crate::ui::error::copy_text(&text))>
                            {tr(g(GroupsMsg::CopyLink))}
                        </button>
                        <span role="status">{move || copied.get().then(tr(g(GroupsMsg::Copied)))}</span>
                    </div>
                }
            })}
        </section>
    }
}

/// The members of a group: name, user id, role and nickname, filtered as
/// you type; with `selection`, rows can be selected for bulk actions.
#[component]
pub fn MemberTable(
    #[prop(into)] rows: Signal<Vec<MemberView>>,
    #[prop(into)] loading: Signal<bool>,
    selection: Option<RwSignal<HashSet<String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let columns = vec![
        Column::text(g(GroupsMsg::Name), |m: &MemberView| {
            m.name.clone().unwrap_or_default()
        }),
        Column::new(g(GroupsMsg::UserId), |m: &MemberView| {
            view! { <code>{m.user_id.to_string()}</code> }.into_any()
        })
        .sort_by(|m: &MemberView| SortKey::Text(m.user_id.to_string())),
        Column::new(g(GroupsMsg::Role), |m: &MemberView| {
            tr(g(role_of(m))).into_any()
        })
        .sort_by(|m: &MemberView| SortKey::Number(i64::from(!m.owner) * 2 + i64::from(!m.admin))),
        Column::new(g(GroupsMsg::Nickname), move |m: &MemberView| {
            match &m.nickname {
                Some(_) => {
                    last_set_text(m.nickname.as_ref(), |by| i18n.fill(g(GroupsMsg::SetBy), by))
                        .into_any()
                }
                None => view! { <em>{tr(g(GroupsMsg::Unknown))}</em> }.into_any(),
            }
        }),
    ];
    let key = |m: &MemberView| m.user_id.to_string();
    let filter = |m: &MemberView| {
        let nickname = m.nickname.as_ref().map(|n| n.value.as_str());
        format!(
            "{} {} {}",
            m.name.as_deref().unwrap_or_default(),
            m.user_id,
            nickname.unwrap_or_default()
        )
    };
    match selection {
        Some(selection) => view! {
            <DataTable id="members" caption=g(GroupsMsg::Members) rows columns key
                name=member_label filter loading selection/>
        }
        .into_any(),
        None => view! {
            <DataTable id="members" caption=g(GroupsMsg::Members) rows columns key
                name=member_label filter loading/>
        }
        .into_any(),
    }
}
