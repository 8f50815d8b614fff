//! Two of a group's tabs: the join QR code with its link, and the group's
//! entries in the audit trail.

use leptos::prelude::*;
use shared::audit::{AuditEntry, EventPage, Outcome};
use shared::groups::JoinLink;

use super::WORDING;
use super::ctx::Ctx;
use crate::i18n::common as c;
use crate::i18n::groups as tx;
use crate::i18n::{T, now, use_i18n};
use crate::router::encode;
use crate::ui::{Column, CopyButton, DataTable, ErrorPanel, Remote, SortKey, Time, fact, facts};

/// The join link as the QR code the server draws, and the link to copy.
pub(super) fn join_qr(ctx: Ctx) -> AnyView {
    let i18n = use_i18n();
    let link = Remote::<JoinLink>::follow(move || Some(ctx.path("/join-link")));
    let src = format!("{}{}", shared::api::API_PREFIX, ctx.path("/qr.svg"));
    view! {
        <ErrorPanel error=link.error/>
        {move || link.value.get().map(|l| {
            let alt = move || i18n.fill(tx::QR_ALT, &[&ctx.name()]);
            view! {
                <img class="qr" width="240" height="240" src=src.clone() alt=alt/>
                {facts(vec![
                    fact(tx::JOIN_LINK, view! {
                        <code>{l.link.clone()}</code>" "<CopyButton what=tx::JOIN_LINK value=l.link/>
                    }),
                    fact(tx::SHARER, l.sharer.to_string()),
                ])}
            }
        })}
    }
    .into_any()
}

fn action_text(code: &str) -> Option<T> {
    tx::ACTIONS
        .iter()
        .find(|(k, _)| *k == code)
        .map(|(_, t)| *t)
}

/// The group's entries in the audit trail (its target is the chat id).
pub(super) fn history(ctx: Ctx) -> AnyView {
    let chat = ctx.peek(|d| d.group.chat_id.to_string());
    let events = Remote::<EventPage>::follow(move || {
        Some(format!("/audit/events?target={}", encode(&chat)))
    });
    let rows = Signal::derive(move || {
        events
            .value
            .with(|p| p.as_ref().map(|p| p.events.clone()).unwrap_or_default())
    });
    let columns = vec![
        Column::new(tx::WHEN, |e: &AuditEntry| {
            view! { <Time millis=e.at/> }.into_any()
        })
        .sort_by(|e| SortKey::Number(e.at)),
        Column::text(tx::WHO, |e: &AuditEntry| e.actor.clone()),
        Column::new(tx::ACTION, |e: &AuditEntry| match action_text(&e.action) {
            Some(t) => now(t).into_any(),
            None => e.action.clone().into_any(),
        }),
        Column::new(tx::OUTCOME, |e: &AuditEntry| {
            now(match e.outcome {
                Outcome::Success => tx::SUCCESS,
                Outcome::Failure => tx::FAILURE,
                Outcome::Unknown => tx::UNKNOWN,
            })
            .into_any()
        }),
        Column::new(tx::CHANGES, |e: &AuditEntry| {
            let i18n = use_i18n();
            let fields: Vec<String> = e.changes.iter().map(|c| c.field.clone()).collect();
            (move || {
                let lang = i18n.lang();
                let words: Vec<String> = fields.iter().map(|f| WORDING.label(lang, f)).collect();
                words.join(", ")
            })
            .into_any()
        }),
    ];
    view! {
        <DataTable id="group-history" caption=c::HISTORY rows=rows columns=columns
            key=|e: &AuditEntry| e.seq.to_string()
            loading=events.loading error=events.error/>
    }
    .into_any()
}
