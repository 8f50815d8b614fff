//! The groups page's words.

use super::T;

pub const TITLE: T = T("DingTalk groups", "钉钉群");
