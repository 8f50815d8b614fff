//! DingTalk groups (issue 12): chatdesk's catalogue of groups per DingTalk
//! app ([`store`]), finding people by name ([`people`]), the operations as
//! plain functions ([`service`]) and the join link as a QR code ([`qr`]).

pub mod http;
pub mod people;
pub mod plan;
pub mod qr;
pub mod service;
pub mod store;

pub use service::{App, Scope};
