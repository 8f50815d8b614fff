use leptos::prelude::*;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::audit::TITLE/> }
}
