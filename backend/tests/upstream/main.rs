//! Upstream tests: the signed clients, their retries, faults and logs, and
//! the services over them, against the sandbox; [`support`] starts it.

mod chat_configs_list;
mod dingtalk;
mod faults;
mod groups_service;
mod http;
mod logs;
mod oos_sas;
mod signature_vectors;
mod support;
mod vault_connection;
