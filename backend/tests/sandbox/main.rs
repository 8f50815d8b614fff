//! Sandbox tests: the emulated Alibaba Cloud and DingTalk APIs, called the
//! way real clients call them; [`support`] starts the sandbox and signs.

mod acs;
mod dingtalk;
mod directory;
mod faults;
mod oos;
mod sas;
mod support;
