//! Two of a group's tabs: the join QR code with its link, and the group's
//! entries in the audit trail.

use leptos::prelude::*;

use super::WORDING;
use super::ctx::Ctx;
use crate::i18n::common as c;
use crate::i18n::groups as tx;
use crate::i18n::use_i18n;
use crate::router::encode;
use crate::ui::el::{dynamic, el};
use crate::ui::{AuditTable, Remote, code_copy, error_panel, fact, facts, json};

/// The join link as the QR code the server draws, and the link to copy.
pub(super) fn join_qr(ctx: Ctx) -> AnyView {
    let i18n = use_i18n();
    let link = Remote::follow(move || Some(ctx.path("/join-link")));
    let src = format!("{}{}", shared::api::API_PREFIX, ctx.path("/qr.svg"));
    let shown = dynamic(move || {
        link.value.get().map(|l| {
            // A `JoinLink`.
            let (url, sharer) = (json::s(&l, "/link"), json::s(&l, "/sharer"));
            let qr = el("img")
                .class("qr")
                .attr("width", "240")
                .attr("height", "240")
                .attr_s("src", src.clone())
                .attr_dyn("alt", move || Some(i18n.fill(tx::QR_ALT, &[&ctx.name()])));
            let facts = facts(vec![
                fact(tx::JOIN_LINK, code_copy(tx::JOIN_LINK, url)),
                fact(tx::SHARER, sharer),
            ]);
            [qr.view(), facts].into_iter().collect_view().into_any()
        })
    });
    [error_panel(link.error.into()), shown]
        .into_iter()
        .collect_view()
        .into_any()
}

/// The group's entries in the audit trail (its target is the chat id).
pub(super) fn history(ctx: Ctx) -> AnyView {
    let chat = ctx.peek(|d| json::s(d, "/group/chat_id"));
    let events = Remote::follow(move || Some(format!("/audit/events?target={}", encode(&chat))));
    let rows = Signal::derive(move || events.items("/events"));
    view! {
        <AuditTable id="group-history" caption=c::HISTORY rows=rows
            loading=events.loading error=events.error wording=WORDING/>
    }
    .into_any()
}
