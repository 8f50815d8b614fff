//! The chatdesk console: a Leptos CSR app, compiled to wasm.
//!
//! A library (plus a thin `main.rs`) so that browser tests can mount its
//! components.

pub mod app;
pub mod audit;
pub mod i18n;
pub mod router;

pub use app::App;
