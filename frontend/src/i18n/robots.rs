//! The robots page's words.

use super::T;

pub const TITLE: T = T("Notification robots", "通知机器人");
