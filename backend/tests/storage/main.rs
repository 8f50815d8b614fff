//! Storage tests: the stores on SQLite and on PostgreSQL (a fresh schema
//! per test, see `backend::testing`).

mod audit_store;
mod db;
mod sessions;
mod vault;
