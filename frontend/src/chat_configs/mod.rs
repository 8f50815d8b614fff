use leptos::prelude::*;

#[component]
pub fn ChatConfigsPage() -> impl IntoView {
    view! { <crate::ui::PageHeader title=crate::i18n::chat_configs::TITLE/> }
}
