use leptos::prelude::*;

#[component]
pub fn GroupsPage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::groups::TITLE/> }
}
