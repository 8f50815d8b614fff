//! The data table every list uses: rows in slots (a refresh re-renders
//! only the rows that changed), sort by column, a text filter, paging (here, or
//! by the server), loading, empty and error states, and row selection for
//! bulk actions. It scrolls sideways inside itself on a narrow screen.
//!
//! Filtering a 1,000-row table is one lowercase substring scan over texts
//! prepared when the rows change, and only one page of rows is in the DOM
//! (`frontend/tests/ui.rs` times a keystroke).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::Failure;
use crate::i18n::common as c;
use crate::i18n::{Lang, T as Text, now, use_i18n, word};
use crate::json::{self, Json};
use crate::router::link;
use crate::ui::el::{dynamic, el, text};
use crate::ui::time::TimeProps;
use crate::ui::{Time, error_panel};

/// What a column sorts by: numbers before text, each in natural order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

type Cell = Arc<dyn Fn(&Json) -> AnyView + Send + Sync>;
type Sorter = Arc<dyn Fn(&Json) -> SortKey + Send + Sync>;
/// Row key to the row as last rendered and its revision.
/// `s` in lower case, by the browser: Rust's own Unicode case tables are
/// ~5 KB of brotli'd wasm (BENCHMARKS.md), and sorting and searching need no more
/// than what the browser's `toLowerCase` does.
fn lower(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

type Revisions = HashMap<String, (Json, u32)>;
/// A row's cells, rendered on demand.
type Cells = Arc<dyn Fn() -> Vec<AnyView> + Send + Sync>;

/// A column: its header and how a row (the server's JSON) fills its cell.
/// The first column is the row's header (`<th scope="row">`).
#[derive(Clone)]
pub struct Column {
    header: Text,
    cell: Cell,
    sort: Option<Sorter>,
}

impl Column {
    /// A column whose cell is any view (buttons, links, badges); not
    /// sortable unless [`Column::sort_by`] says how.
    pub fn new(header: Text, cell: impl Fn(&Json) -> AnyView + Send + Sync + 'static) -> Column {
        Column {
            header,
            cell: Arc::new(cell),
            sort: None,
        }
    }

    /// A column of plain text, sorted by it (ignoring case).
    pub fn text(header: Text, text: fn(&Json) -> String) -> Column {
        Column {
            header,
            cell: Arc::new(move |row| text(row).into_any()),
            sort: Some(Arc::new(move |row| SortKey::Text(lower(&text(row))))),
        }
    }

    /// The text at a field path (`/robot/name`), sorted by it.
    pub fn at(header: Text, ptr: &'static str) -> Column {
        Column {
            header,
            cell: Arc::new(move |row| json::text(row, ptr).into_any()),
            sort: Some(Arc::new(move |row| {
                SortKey::Text(lower(&json::text(row, ptr)))
            })),
        }
    }

    /// A time field in the one time format, sorted by it.
    pub fn time(header: Text, ptr: &'static str) -> Column {
        Column {
            header,
            cell: Arc::new(move |row| {
                json::millis(row, ptr)
                    .map(|millis| Time(TimeProps { millis }))
                    .into_any()
            }),
            sort: Some(Arc::new(move |row| {
                SortKey::Number(json::millis(row, ptr).unwrap_or(0))
            })),
        }
    }

    /// A field whose value is worded from `words` (a status, a role),
    /// sorted by the value.
    pub fn word(header: Text, ptr: &'static str, words: &'static [(&'static str, Text)]) -> Column {
        Column {
            header,
            cell: Arc::new(move |row| {
                let value = json::text(row, ptr);
                match word(words, &value) {
                    Some(t) => now(t).into_any(),
                    None => value.into_any(),
                }
            }),
            sort: Some(Arc::new(move |row| SortKey::Text(json::text(row, ptr)))),
        }
    }

    /// The text at `ptr` as a link to `href(row)`, sorted by the text.
    pub fn link(header: Text, ptr: &'static str, href: fn(&Json) -> String) -> Column {
        Column {
            header,
            cell: Arc::new(move |row| {
                let text = json::text(row, ptr);
                link(href(row), text.into_any())
            }),
            sort: Some(Arc::new(move |row| {
                SortKey::Text(lower(&json::text(row, ptr)))
            })),
        }
    }

    pub fn sort_by(mut self, key: impl Fn(&Json) -> SortKey + Send + Sync + 'static) -> Column {
        self.sort = Some(Arc::new(key));
        self
    }

    /// The row actions column.
    pub fn actions(name: fn(&Json) -> String, actions: Vec<RowAction>) -> Column {
        let actions = Arc::new(actions);
        Column::new(crate::i18n::common::ACTIONS, move |row: &Json| {
            let buttons = actions
                .iter()
                .filter(|a| (a.shown)(row))
                .map(|a| {
                    let (run, row) = (Arc::clone(&a.run), row.clone());
                    action_button(a.label, a.danger, name(&row), Box::new(move || run(&row)))
                })
                .collect();
            row_actions(buttons)
        })
    }
}

/// A button at a row's end; its accessible name adds the row's name
/// ("Delete prod-hz"), since every row has one.
pub struct RowAction {
    pub label: Text,
    pub danger: bool,
    /// Whether this row offers it (a role, the row's state).
    pub shown: Arc<dyn Fn(&Json) -> bool + Send + Sync>,
    pub run: Arc<dyn Fn(&Json) + Send + Sync>,
}

impl RowAction {
    pub fn new(label: Text, run: impl Fn(&Json) + Send + Sync + 'static) -> RowAction {
        RowAction {
            label,
            danger: false,
            shown: Arc::new(|_| true),
            run: Arc::new(run),
        }
    }

    pub fn danger(mut self) -> RowAction {
        self.danger = true;
        self
    }

    pub fn when(mut self, shown: impl Fn(&Json) -> bool + Send + Sync + 'static) -> RowAction {
        self.shown = Arc::new(shown);
        self
    }
}

/// One row action's button.
fn action_button(
    label: Text,
    danger: bool,
    row_name: String,
    run: Box<dyn Fn() + Send + Sync>,
) -> AnyView {
    // Plain text, not reactive: a row is drawn again when the language
    // changes (its key holds the language), which keeps a page of rows
    // cheap to draw while typing in the filter.
    let text = use_i18n().t(label);
    el("button")
        .attr("type", "button")
        .class(if danger { "link danger" } else { "link" })
        .attr_s("aria-label", format!("{text} {row_name}"))
        .on("click", move |_| run())
        .child(text.into_any())
        .view()
}

fn row_actions(buttons: Vec<AnyView>) -> AnyView {
    el("div").class("row-actions").children(buttons).view()
}

/// Paging done by the server: the table shows the rows it is given as
/// page `page` and asks for another through `on_page`.
#[derive(Clone, Copy)]
pub struct ServerPaging {
    /// The page shown, from 0.
    pub page: Signal<usize>,
    pub page_size: usize,
    /// Rows in all pages, when the server says.
    pub total: Signal<Option<usize>>,
    /// Whether a next page exists (used when `total` is unknown).
    pub has_next: Signal<bool>,
    pub on_page: Callback<usize>,
}

/// Which page (from 0) of `pages` to show, never past the last.
fn clamp_page(page: usize, count: usize, size: usize) -> (usize, usize) {
    let pages = count.div_ceil(size.max(1)).max(1);
    (page.min(pages - 1), pages)
}

/// A row as the table's core sees it: everything a column gives,
/// computed when the rows change.
#[derive(Clone)]
struct Row {
    key: String,
    /// Changes when the row's data does: a slot redraws only then.
    rev: u32,
    name: String,
    /// Lowercase text the filter searches.
    haystack: String,
    sort: Vec<Option<SortKey>>,
    cells: Cells,
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.key == other.key && self.rev == other.rev
    }
}

/// A column's header as the core sees it.
#[derive(Clone, Copy)]
struct Head {
    header: Text,
    sortable: bool,
}

/// The revision of `row` under `key`, given the last ones.
fn revision(old: &Revisions, key: &str, row: &Json) -> u32 {
    match old.get(key) {
        Some((before, rev)) if before == row => *rev,
        Some((_, rev)) => rev.wrapping_add(1),
        None => 0,
    }
}

/// A table of `rows`. `key` identifies a row (and with `selection`,
/// `name` labels its checkbox, "Select prod-hz"); `filter` gives the text
/// the filter box searches (no box without it). With `server`, the server
/// pages; else the table shows `page_size` rows a page.
#[component]
pub fn DataTable(
    /// DOM id, unique on the page; also prefixes the ids inside.
    id: &'static str,
    caption: Text,
    #[prop(into)] rows: Signal<Vec<Json>>,
    columns: Vec<Column>,
    key: fn(&Json) -> String,
    #[prop(optional)] name: Option<fn(&Json) -> String>,
    /// The text rows are filtered by (the filter bar's search box) and
    /// what of a row it searches.
    #[prop(optional)]
    filter: Option<fn(&Json) -> String>,
    #[prop(optional, into)] search: Signal<String>,
    /// The key of a row to mark and scroll to (just created or changed).
    #[prop(optional, into)]
    highlight: Signal<Option<String>>,
    #[prop(optional, into)] loading: Signal<bool>,
    #[prop(optional, into)] error: Signal<Option<Failure>>,
    #[prop(default = 25)] page_size: usize,
    #[prop(default = None)] server: Option<ServerPaging>,
    /// The keys of the selected rows; checkboxes appear when given.
    #[prop(default = None)]
    selection: Option<RwSignal<HashSet<String>>>,
    /// What to say when there are no rows at all.
    #[prop(default = c::EMPTY)]
    empty: Text,
) -> impl IntoView {
    let heads = columns
        .iter()
        .map(|c| Head {
            header: c.header,
            sortable: c.sort.is_some(),
        })
        .collect();
    let columns = Arc::new(columns);
    let name = name.unwrap_or(key);
    let revisions = StoredValue::new(Revisions::new());
    let prepare = Arc::new(move || {
        rows.with(|rows| {
            let mut next = Revisions::new();
            let prepared = revisions.with_value(|old| {
                rows.iter()
                    .map(|row| {
                        let k = key(row);
                        let rev = revision(old, &k, row);
                        next.insert(k.clone(), (row.clone(), rev));
                        let (columns, cells_row) = (Arc::clone(&columns), row.clone());
                        Row {
                            key: k,
                            rev,
                            name: name(row),
                            haystack: filter.map(|f| lower(&f(row))).unwrap_or_default(),
                            sort: columns
                                .iter()
                                .map(|c| c.sort.as_ref().map(|s| s(row)))
                                .collect(),
                            cells: Arc::new(move || {
                                columns.iter().map(|c| (c.cell)(&cells_row)).collect()
                            }),
                        }
                    })
                    .collect::<Vec<_>>()
            });
            revisions.set_value(next);
            prepared
        })
    });
    table_core(Core {
        id,
        caption,
        prepare,
        heads,
        search,
        highlight,
        loading,
        error,
        page_size,
        server,
        selection,
        empty,
    })
}

/// What [`table_core`] draws.
struct Core {
    id: &'static str,
    caption: Text,
    /// The rows as the core sees them, from the page's rows (reactive).
    prepare: Arc<dyn Fn() -> Vec<Row> + Send + Sync>,
    heads: Vec<Head>,
    search: Signal<String>,
    highlight: Signal<Option<String>>,
    loading: Signal<bool>,
    error: Signal<Option<Failure>>,
    page_size: usize,
    server: Option<ServerPaging>,
    selection: Option<RwSignal<HashSet<String>>>,
    empty: Text,
}

fn table_core(core: Core) -> AnyView {
    let (id, caption, heads) = (core.id, core.caption, core.heads);
    let prepare = core.prepare;
    let rows = Memo::new(move |_| prepare());
    let (search, highlight) = (core.search, core.highlight);
    let (loading, error, empty) = (core.loading, core.error, core.empty);
    let (page_size, server, selection) = (core.page_size, core.server, core.selection);
    let i18n = use_i18n();
    let sort = RwSignal::new(None::<(usize, bool)>);
    let local_page = RwSignal::new(0_usize);

    let order = Memo::new(move |_| {
        let q = search.with(|q| lower(q.trim()));
        rows.with(|rows| {
            let mut order: Vec<usize> = (0..rows.len())
                .filter(|&i| q.is_empty() || rows[i].haystack.contains(&q))
                .collect();
            if let Some((col, ascending)) = sort.get() {
                order.sort_by(|&a, &b| rows[a].sort.get(col).cmp(&rows[b].sort.get(col)));
                if !ascending {
                    order.reverse();
                }
            }
            order
        })
    });
    // (page shown, page count), for either kind of paging.
    let paging = move || match server {
        Some(s) => {
            let page = s.page.get();
            let pages = s.total.get().map_or_else(
                || page + 1 + usize::from(s.has_next.get()),
                |t| t.div_ceil(s.page_size.max(1)).max(1),
            );
            (page, pages)
        }
        None => clamp_page(local_page.get(), order.with(Vec::len), page_size),
    };
    let go = move |page: usize| match server {
        Some(s) => s.on_page.run(page),
        None => local_page.set(page),
    };
    let items = move || {
        let (skip, take) = match server {
            Some(_) => (0, usize::MAX),
            None => (paging().0 * page_size, page_size),
        };
        rows.with(|rows| {
            order.with(|o| {
                o.iter()
                    .skip(skip)
                    .take(take)
                    .map(|&i| rows[i].clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    // The rows shown, each with the language it is worded in; a row
    // equals another with the same key and revision.
    let shown = Memo::new(move |_| {
        let lang = i18n.lang();
        items().into_iter().map(|r| (r, lang)).collect::<Vec<_>>()
    });
    // A new search starts at the first page.
    crate::reactive::effect(move || {
        search.track();
        local_page.set(0);
    });
    // Selected rows that went away are no longer selected.
    if let Some(selected) = selection {
        crate::reactive::effect(move || {
            let keys: HashSet<String> = rows.with(|r| r.iter().map(|r| r.key.clone()).collect());
            if selected.with_untracked(|s| s.iter().any(|k| !keys.contains(k))) {
                selected.update(|s| s.retain(|k| keys.contains(k)));
            }
        });
    }

    let headers = heads.into_iter().enumerate().map(|(i, head)| {
        let th = el("th").attr("scope", "col");
        if !head.sortable {
            return th.word(head.header).view();
        }
        let state = move || sort.get().filter(|(col, _)| *col == i).map(|(_, asc)| asc);
        let toggle = move |_| {
            let ascending = state() != Some(true);
            sort.set(Some((i, ascending)));
        };
        let arrow = el("span").attr("aria-hidden", "true").child(text(move || {
            match state() {
                Some(true) => " ▲",
                Some(false) => " ▼",
                None => " ↕",
            }
            .into()
        }));
        th.attr_dyn("aria-sort", move || {
            Some(
                match state() {
                    Some(true) => "ascending",
                    Some(false) => "descending",
                    None => "none",
                }
                .into(),
            )
        })
        .child(
            el("button")
                .attr("type", "button")
                .class("sort")
                .on("click", toggle)
                .word(head.header)
                .child(arrow.view())
                .view(),
        )
        .view()
    });

    let select_all = selection.map(|selected| {
        let page_keys = move || items().into_iter().map(|r| r.key).collect::<Vec<_>>();
        let all = move || {
            let keys = page_keys();
            !keys.is_empty() && selected.with(|s| keys.iter().all(|k| s.contains(k)))
        };
        let check = el("input")
            .attr("type", "checkbox")
            .checked(all)
            .on("change", move |ev| {
                let on = event_target_checked(&ev);
                let keys = page_keys();
                selected.update(|s| {
                    for k in keys {
                        if on {
                            s.insert(k);
                        } else {
                            s.remove(&k);
                        }
                    }
                });
            });
        el("th")
            .attr("scope", "col")
            .class("select")
            .child(
                el("label")
                    .child(check.view())
                    .child(hidden_words(crate::ui::el::word(c::SELECT_ALL)))
                    .view(),
            )
            .view()
    });

    let row_view = move |(row, _): (Row, Lang)| -> AnyView {
        let check = selection.map(|selected| {
            let (k1, k2) = (row.key.clone(), row.key.clone());
            let check = el("input")
                .attr("type", "checkbox")
                .checked(move || selected.with(|s| s.contains(&k1)))
                .on("change", move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| {
                        if on {
                            s.insert(k2.clone());
                        } else {
                            s.remove(&k2);
                        }
                    });
                });
            let label = i18n.fill(c::SELECT_ROW, &[&row.name]).into_any();
            el("td")
                .class("select")
                .child(
                    el("label")
                        .child(check.view())
                        .child(hidden_words(label))
                        .view(),
                )
                .view()
        });
        let cells = (row.cells)().into_iter().enumerate().map(|(i, content)| {
            let cell = if i == 0 {
                el("th").attr("scope", "row")
            } else {
                el("td")
            };
            cell.child(content).view()
        });
        let key = row.key.clone();
        el("tr")
            .class_if("highlight", move || {
                highlight.with(|h| h.as_deref() == Some(key.as_str()))
            })
            .children(check)
            .children(cells)
            .view()
    };
    // One effect for the table, not one per row: once the marked row is
    // drawn (it may arrive after the mark, with a refresh), bring it into
    // view.
    crate::reactive::effect(move || {
        if highlight.with(Option::is_none) {
            return;
        }
        order.track();
        request_animation_frame(move || {
            let marked = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                d.query_selector(&format!("#{id} tr.highlight"))
                    .ok()
                    .flatten()
            });
            if let Some(tr) = marked {
                tr.scroll_into_view_with_bool(false);
            }
        });
    });

    let count =
        |f: Box<dyn Fn() -> String + Send + Sync>| el("span").class("count").child(text(f)).view();
    let toolbar = el("div")
        .class("table-tools")
        .child(count(Box::new(move || {
            i18n.fill(c::ROWS, &[&order.with(Vec::len).to_string()])
        })))
        .children(selection.map(|s| {
            count(Box::new(move || {
                i18n.fill(c::SELECTED, &[&s.with(HashSet::len).to_string()])
            }))
        }))
        .view();

    let status = move || {
        if error.with(Option::is_some) {
            return None;
        }
        let msg = if rows.with(Vec::is_empty) {
            if loading.get() { c::LOADING } else { empty }
        } else if order.with(Vec::is_empty) {
            c::NO_MATCHES
        } else {
            return None;
        };
        Some(i18n.t(msg))
    };

    // Drawn once while paging applies, so its buttons keep focus from
    // page to page.
    let paged = Memo::new(move |_| paging().1 > 1 || server.is_some());
    let pager = move || {
        paged.get().then(|| {
            let button =
                |label: Text, step: fn(usize) -> Option<usize>, off: fn(usize, usize) -> bool| {
                    el("button")
                        .attr("type", "button")
                        .flag("disabled", move || {
                            let (page, pages) = paging();
                            off(page, pages)
                        })
                        .on("click", move |_| {
                            if let Some(to) = step(untrack(paging).0) {
                                go(to);
                            }
                        })
                        .word(label)
                        .view()
                };
            let at = text(move || {
                let (page, pages) = paging();
                i18n.fill(c::PAGE, &[&format!("{} / {pages}", page + 1)])
            });
            el("div")
                .class("pager")
                .child(button(c::PREVIOUS, |p| p.checked_sub(1), |p, _| p == 0))
                .child(el("span").child(at).view())
                .child(button(c::NEXT, |p| Some(p + 1), |p, pages| p + 1 >= pages))
                .view()
        })
    };

    // One slot per row shown, each drawn again only when its row changes
    // (another key, revision or language): a refresh that changed nothing
    // keeps every row, and its focus, in place. Slots come and go with the
    // number of rows.
    let count = Memo::new(move |_| shown.with(Vec::len));
    let body = dynamic(move || {
        let slots = (0..count.get()).map(|i| {
            let at = Memo::new(move |_| {
                shown.with(|s| s.get(i).map(|(r, lang)| (r.key.clone(), r.rev, *lang)))
            });
            // Read, not only tracked: a memo nobody reads is never
            // computed, so it never says its row changed.
            dynamic(move || {
                at.with(Option::is_some)
                    .then(|| shown.with_untracked(|s| s.get(i).cloned()))
                    .flatten()
                    .map(row_view)
            })
        });
        Some(slots.collect_view().into_any())
    });
    let caption_id = format!("{id}-caption");
    let table = el("table")
        .attr_s("id", id.to_owned())
        .attr_dyn("aria-busy", move || loading.get().then(|| "true".into()))
        .child(el("caption").id(caption_id.clone()).word(caption).view())
        .child(
            el("thead")
                .child(el("tr").children(select_all).children(headers).view())
                .view(),
        )
        .child(el("tbody").child(body).view());
    el("div")
        .class("data-table")
        .child(toolbar)
        .child(
            el("div")
                .class("table-scroll")
                .attr("role", "region")
                .attr("tabindex", "0")
                .attr_s("aria-labelledby", caption_id)
                .child(table.view())
                .view(),
        )
        .child(dynamic(move || {
            status().map(|t| el("p").attr("role", "status").text(t).view())
        }))
        .child(error_panel(error))
        .child(dynamic(pager))
        .view()
}

/// Words only screen readers read (a checkbox's label in a table).
fn hidden_words(words: AnyView) -> AnyView {
    el("span").class("visually-hidden").child(words).view()
}
