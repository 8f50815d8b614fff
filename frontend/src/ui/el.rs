//! Elements described at run time: a tag, its attributes and children as
//! values. Every element built here is one Leptos type
//! (`<custom tag, Vec<AnyAttribute>, Vec<AnyView>>`), so its rendering code
//! is compiled once for the whole console; a `view!` tree is compiled once
//! per shape, which made each part and page cost tens of KB of wasm
//! (BENCHMARKS.md, fourth pass). Reactive values are signals, one type each.

use leptos::attr::any_attribute::{AnyAttribute, IntoAnyAttribute};
use leptos::attr::custom::custom_attribute;
use leptos::prelude::*;
use leptos::tachys::html::class::class;
use leptos::tachys::html::property::prop;

use crate::i18n::{T, tr};

/// An element under construction.
#[must_use]
pub struct El {
    tag: &'static str,
    attrs: Vec<AnyAttribute>,
    kids: Vec<AnyView>,
}

#[inline(never)]
pub fn el(tag: &'static str) -> El {
    El {
        tag,
        attrs: Vec::new(),
        kids: Vec::new(),
    }
}

/// A reactive text, such as a field's error.
#[inline(never)]
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> AnyView {
    Signal::derive(f).into_any()
}

/// What `f` says to show, drawn again when it changes; nothing while it
/// says `None`. Boxed, so every such place shares one rendering.
#[inline(never)]
pub fn dynamic(f: impl Fn() -> Option<AnyView> + Send + Sync + 'static) -> AnyView {
    let f: Box<dyn Fn() -> Option<AnyView> + Send + Sync> = Box::new(f);
    f.into_any()
}

/// A button with a word on it; `f` runs on a click.
#[inline(never)]
pub fn button(label: T, f: impl Fn() + 'static) -> El {
    el("button")
        .attr("type", "button")
        .word(label)
        .on("click", move |_| f())
}

/// A word in the current language.
#[inline(never)]
pub fn word(t: T) -> AnyView {
    tr(t).into_any()
}

impl El {
    #[inline(never)]
    fn with(mut self, attr: AnyAttribute) -> El {
        self.attrs.push(attr);
        self
    }

    /// A fixed attribute (`type="button"`).
    #[inline(never)]
    pub fn attr(self, key: &'static str, value: &'static str) -> El {
        self.with(custom_attribute(key, value).into_any_attr())
    }

    /// An attribute made at build time (an id).
    #[inline(never)]
    pub fn attr_s(self, key: &'static str, value: String) -> El {
        self.with(custom_attribute(key, value).into_any_attr())
    }

    /// An attribute that follows a signal; absent while it is `None`.
    #[inline(never)]
    pub fn attr_dyn(
        self,
        key: &'static str,
        f: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> El {
        self.with(custom_attribute(key, Signal::derive(f)).into_any_attr())
    }

    /// A boolean attribute (`disabled`, `required`) that follows a signal.
    #[inline(never)]
    pub fn flag(self, key: &'static str, f: impl Fn() -> bool + Send + Sync + 'static) -> El {
        self.with(custom_attribute(key, Signal::derive(f)).into_any_attr())
    }

    #[inline(never)]
    pub fn class(self, value: &'static str) -> El {
        self.attr("class", value)
    }

    /// Class `name` while `f` says so.
    #[inline(never)]
    pub fn class_if(self, name: &'static str, f: impl Fn() -> bool + Send + Sync + 'static) -> El {
        self.with(class((name, Signal::derive(f))).into_any_attr())
    }

    #[inline(never)]
    pub fn id(self, value: String) -> El {
        self.attr_s("id", value)
    }

    /// The live `value` of an input, select or text area.
    #[inline(never)]
    pub fn value(self, f: impl Fn() -> String + Send + Sync + 'static) -> El {
        self.with(prop("value", Signal::derive(f)).into_any_attr())
    }

    /// The live `checked` of a checkbox.
    #[inline(never)]
    pub fn checked(self, f: impl Fn() -> bool + Send + Sync + 'static) -> El {
        self.with(prop("checked", Signal::derive(f)).into_any_attr())
    }

    /// A listener for the DOM event `event` (`"click"`, `"input"`).
    #[inline(never)]
    pub fn on(self, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> El {
        let f: Box<dyn FnMut(web_sys::Event)> = Box::new(f);
        self.with(leptos::ev::on(leptos::ev::Custom::new(event), f).into_any_attr())
    }

    /// `f` gets the element once it is made, before it is in the page
    /// (a dialog keeps it to open itself).
    #[inline(never)]
    pub fn made(self, f: impl Fn(web_sys::Element) + 'static) -> El {
        let f: std::sync::Arc<dyn Fn(web_sys::Element)> = std::sync::Arc::new(f);
        self.with(leptos::tachys::html::directive::directive(f, ()).into_any_attr())
    }

    #[inline(never)]
    pub fn child(mut self, view: AnyView) -> El {
        self.kids.push(view);
        self
    }

    #[inline(never)]
    pub fn children(mut self, views: impl IntoIterator<Item = AnyView>) -> El {
        self.kids.extend(views);
        self
    }

    /// A fixed text child.
    #[inline(never)]
    pub fn text(self, s: &'static str) -> El {
        self.child(s.into_any())
    }

    /// A word in the current language as a child.
    #[inline(never)]
    pub fn word(self, t: T) -> El {
        self.child(word(t))
    }

    #[inline(never)]
    pub fn view(self) -> AnyView {
        leptos::html::custom(self.tag)
            .add_any_attr(self.attrs)
            .child(self.kids)
            .into_any()
    }
}
