//! The home page's words.

use super::T;

pub const TITLE: T = T("Home", "首页");
