//! Types shared by the chatdesk backend (host) and frontend (wasm).
//!
//! Everything here must compile for `wasm32-unknown-unknown`: no I/O, no
//! server-only crates.

pub mod api;
pub mod area;
pub mod audit;
pub mod auth;
pub mod chat_configs;
pub mod groups;
pub mod ids;
pub mod outcome;
pub mod robots;
pub mod secret;
pub mod time;
pub mod validate;
pub mod vault;
