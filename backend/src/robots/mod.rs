//! Security Center notification robots: the rules in [`plan`], the
//! operations (load, plan, the one audited path, record) in `service`,
//! what chatdesk keeps in [`store`], thin handlers in [`http`].

pub mod http;
pub mod plan;
mod service;
pub mod store;
#[cfg(test)]
mod tests;

pub use http::routes;
