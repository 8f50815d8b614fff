//! CLI tests: the `chatdesk` binary run as an operator runs it.

mod audit;
mod serve;
