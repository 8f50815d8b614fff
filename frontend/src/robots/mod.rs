use leptos::prelude::*;

#[component]
pub fn RobotsPage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::robots::TITLE/> }
}
