//! The chatdesk console: a Leptos CSR app, compiled to wasm.
//!
//! A library (plus a thin `main.rs`) so that browser tests can mount its
//! components.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
#[cfg(feature = "areas")]
pub mod chat_configs;
#[cfg(feature = "areas")]
pub mod groups;
pub mod i18n;
#[cfg(feature = "areas")]
pub mod robots;
pub mod router;
pub mod ui;
pub mod users;
pub mod vault;

pub use app::App;
