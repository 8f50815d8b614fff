//! The vault page's words.

use super::T;

pub const TITLE: T = T("Credentials", "凭据");
