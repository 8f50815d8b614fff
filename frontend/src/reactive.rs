//! Reactive helpers below every page and part.

use leptos::prelude::Effect;

/// Runs `f` now and again whenever a signal it read changes. Boxed, so
/// the console has one copy of Leptos's effect machinery: each closure
/// type given to `Effect::new` gets its own (~0.5 KB of wasm,
/// BENCHMARKS.md).
#[inline(never)]
pub fn effect(f: impl FnMut() + 'static) {
    let mut f: Box<dyn FnMut()> = Box::new(f);
    Effect::new(move |_| f());
}
