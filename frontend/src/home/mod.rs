use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::home::TITLE/> }
}
