//! The chatdesk server: serves the console, holds credentials, enforces
//! roles, signs and proxies upstream calls.

pub mod api;
pub mod audit;
pub mod auth;
pub mod bundle;
pub mod cache;
pub mod chat_configs;
pub mod cli;
pub mod config;
pub mod context;
pub mod crypto;
pub mod db;
pub mod error;
pub mod extract;
pub mod groups;
pub mod idempotency;
pub mod robots;
pub mod route;
pub mod sandbox;
pub mod server;
pub mod spa;
pub mod state;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod upstream;
pub mod vault;
