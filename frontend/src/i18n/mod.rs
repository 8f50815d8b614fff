//! Every word the console shows, in English and Chinese. A text is a pair
//! of constants ([`T`]) kept in one table per area (`i18n::groups`, …) plus
//! the shared words once ([`common`]); [`tr`] makes one reactive closure
//! type for all of them, so wording costs data, not code.
//! Server errors are worded here from their `code` and `problem`
//! ([`problem`]), never shown as the server's English sentence.

pub mod audit;
pub mod auth;
pub mod chat_configs;
pub mod common;
pub mod groups;
pub mod home;
pub mod problem;
pub mod robots;
pub mod vault;

use leptos::prelude::*;

/// Where the chosen language is remembered between visits.
const STORAGE_KEY: &str = "chatdesk.lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// BCP 47 tag, used for `<html lang>` and storage.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Accepts our own codes and browser tags such as `zh-Hans-CN`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language's name in itself, as language pickers show it.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }
}

/// One text: English, Chinese. `{}` marks where [`I18n::fill`] puts values.
/// By reference, so passing or storing a text is one pointer, not four
/// words of code at every use (BENCHMARKS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct T(pub &'static [&'static str; 2]);

impl T {
    pub const fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.0[0],
            Lang::ZhCn => self.0[1],
        }
    }
}

/// The UI language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Reactive: reading it inside a view re-renders on a language change.
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
    }

    pub fn t(&self, text: T) -> &'static str {
        text.get(self.lang.get())
    }

    /// `text` with each `{}` replaced by the next of `args`.
    pub fn fill(&self, text: T, args: &[&str]) -> String {
        fill(self.t(text), args)
    }
}

/// The words for a code (a status, a role, an audit action) in `table`;
/// `None` for a code it lacks (a newer server's), which is shown as is.
pub fn word(table: &[(&str, T)], code: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == code).map(|(_, t)| *t)
}

/// `template` with each `{}` replaced by the next of `args`.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        out.push_str(args.get(i).copied().unwrap_or_default());
        out.push_str(part);
    }
    out
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered choice, else the browser's preference, else English.
fn initial_lang() -> Lang {
    let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    stored
        .as_deref()
        .and_then(Lang::from_code)
        .or_else(|| Lang::from_code(&web_sys::window()?.navigator().language()?))
        .unwrap_or(Lang::En)
}

/// Creates the language context, remembers changes and keeps `<html lang>`
/// in step so screen readers pronounce the text right.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        lang: RwSignal::new(initial_lang()),
    };
    crate::reactive::effect(move || {
        let lang = i18n.lang.get();
        if let Some(s) = storage() {
            // Private browsing may refuse storage; the choice then lasts the visit.
            let _ = s.set_item(STORAGE_KEY, lang.code());
        }
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.code());
        }
    });
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The text in the current language, as a reactive view or attribute: one
/// closure type for every text, so Leptos compiles its rendering once.
pub fn tr(text: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(text)
}

/// The text in the current language, once: for what is drawn again when
/// the language changes (a table's rows), where a reactive text per cell
/// would only add work to every redraw.
pub fn now(text: T) -> &'static str {
    use_i18n().t(text)
}
