//! The parts every page is made of. A page describes itself as data (its
//! filters, columns, facts, fields and actions) and hands it to these;
//! that keeps the console consistent and its wasm small, since Leptos
//! compiles each distinct view shape once (BENCHMARKS.md).

pub mod detail;
pub mod dialog;
pub mod el;
pub mod error;
pub mod form;
pub mod history;
pub mod list;
pub mod outcome;
pub mod pick;
pub mod remote;
pub mod table;
pub mod time;
pub mod toast;

pub use detail::{detail_header, fact, facts, tab_panel, tabs};
pub use dialog::{
    Edit, Question, Review, ReviewHost, Wording, confirm_danger, delete, review_edit, use_review,
};
pub use error::{error_panel, failed_source};
pub use form::{Control, FieldSpec, FormSpec, Values, choices, form_drawer, invalid, submit};
pub use history::AuditTable;
// Answers read by field path (`crate::json`), for the pages with the parts.
pub use crate::json::{self, Json};
pub use el::button;
pub use list::{Filter, Opt, filter_bar, page_header, param, section_header};
pub use outcome::outcomes;
pub use pick::AccountPick;
pub use remote::Remote;
pub use table::{Column, DataTable, RowAction, ServerPaging, SortKey};
pub use time::{CopyButton, Time, code_copy};
pub use toast::{ToastRegion, use_toasts};
