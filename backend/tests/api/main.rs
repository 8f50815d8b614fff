//! API tests: the real router in process, with its users, sessions, sandbox
//! upstream and log, one area per module; [`support`] starts the server.

mod audit_events;
mod audit_history;
mod audit_http;
mod audit_tamper;
mod auth;
mod building_blocks;
mod chat_configs;
mod credentials;
mod errors;
mod groups;
mod http_shell;
mod invalidation;
mod request_logs;
mod robots;
mod support;
