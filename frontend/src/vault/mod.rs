use leptos::prelude::*;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::vault::TITLE/> }
}
