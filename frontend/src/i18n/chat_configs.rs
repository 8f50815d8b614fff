//! The chat_configs page's words.

use super::T;

pub const TITLE: T = T("Chat configurations", "聊天配置");
