//! Everything that talks to (or imitates) Alibaba Cloud and DingTalk.

pub mod signing;
