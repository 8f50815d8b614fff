//! The chatdesk server: serves the console, holds credentials, enforces
//! roles, signs and proxies upstream calls.

pub mod bundle;
pub mod cli;
pub mod config;
pub mod error;
pub mod sandbox;
pub mod server;
pub mod spa;
pub mod telemetry;
pub mod upstream;
