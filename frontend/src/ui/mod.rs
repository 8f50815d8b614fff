//! The parts every page is built from: a data table, form fields and
//! forms, a confirmation dialog, a diff view and an error panel. Pages
//! share them rather than writing their own, which keeps the console
//! consistent and its wasm small (see BENCHMARKS.md for what each costs).

pub mod dialog;
pub mod diff;
pub mod error;
pub mod form;
pub mod table;

pub use dialog::ConfirmDialog;
pub use diff::DiffView;
pub use error::{ErrorPanel, failure_text};
pub use form::{ActionResult, ActionStatus, Choice, Field, FieldKind, Form, Request, invalid};
pub use table::{Column, DataTable, Listing, ServerPaging, SortKey};
