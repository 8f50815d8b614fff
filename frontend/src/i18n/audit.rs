//! The audit page's words.

use super::T;

pub const TITLE: T = T("Audit trail", "审计记录");
