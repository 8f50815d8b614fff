//! The chatdesk server: serves the console, holds credentials, enforces
//! roles, signs and proxies upstream calls.

pub mod api;
pub mod audit;
pub mod auth;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod groups;
pub mod json;
pub mod sandbox;
pub mod server;
pub mod spa;
pub mod telemetry;
pub mod upstream;
pub mod vault;
