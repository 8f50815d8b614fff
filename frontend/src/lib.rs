//! The chatdesk console: a Leptos CSR app, compiled to wasm.
//!
//! A library (plus a thin `main.rs`) so that browser tests can mount its
//! components.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod chat_configs;
pub mod groups;
pub mod home;
pub mod i18n;
pub mod json;
pub mod reactive;
pub mod robots;
pub mod router;
pub mod ui;
pub mod vault;
pub mod wire;

pub use app::App;
