//! The data table every list uses: keyed rows (a refresh re-renders only
//! the rows that changed), sort by column, a text filter, paging (here, or
//! by the server), loading, empty and error states, and row selection for
//! bulk actions. It scrolls sideways inside itself on a narrow screen.
//!
//! Filtering a 1,000-row table is one lowercase substring scan over texts
//! prepared when the rows change, and only one page of rows is in the DOM
//! (`frontend/tests/ui.rs` times a keystroke).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;

use crate::api::{self, Failure};
use crate::i18n::{Msg, UiMsg, tr, use_i18n};
use crate::ui::ErrorPanel;

/// What a column sorts by: numbers before text, each in natural order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

type Cell<T> = Arc<dyn Fn(&T) -> AnyView + Send + Sync>;
type Sorter<T> = Arc<dyn Fn(&T) -> SortKey + Send + Sync>;
/// Row key to the row as last rendered and its revision.
type Revisions<T> = HashMap<String, (T, u32)>;
/// What the keyed list iterates: key, revision, row.
type Item<T> = (String, u32, T);

/// A column: its header and how a row fills its cell. The first column is
/// the row's header (`<th scope="row">`).
pub struct Column<T> {
    header: Msg,
    cell: Cell<T>,
    sort: Option<Sorter<T>>,
}

impl<T> Clone for Column<T> {
    fn clone(&self) -> Self {
        Column {
            header: self.header,
            cell: Arc::clone(&self.cell),
            sort: self.sort.clone(),
        }
    }
}

impl<T: 'static> Column<T> {
    /// A column whose cell is any view (buttons, links, badges); not
    /// sortable unless [`Column::sort_by`] says how.
    pub fn new(header: Msg, cell: impl Fn(&T) -> AnyView + Send + Sync + 'static) -> Column<T> {
        Column {
            header,
            cell: Arc::new(cell),
            sort: None,
        }
    }

    /// A column of plain text, sorted by it (ignoring case).
    pub fn text(header: Msg, text: fn(&T) -> String) -> Column<T> {
        Column {
            header,
            cell: Arc::new(move |row| text(row).into_any()),
            sort: Some(Arc::new(move |row| SortKey::Text(text(row).to_lowercase()))),
        }
    }

    pub fn sort_by(mut self, key: impl Fn(&T) -> SortKey + Send + Sync + 'static) -> Column<T> {
        self.sort = Some(Arc::new(key));
        self
    }
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

/// Rows fetched from the API for a [`DataTable`]: `rows`, `loading` and
/// `error` go straight into its props. A reload keeps the rows shown until
/// the answer replaces them.
pub struct Listing<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<Failure>>,
}

impl<T: Send + Sync + 'static> Clone for Listing<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Listing<T> {}

impl<T: DeserializeOwned + Send + Sync + 'static> Listing<T> {
    pub fn new() -> Listing<T> {
        Listing {
            rows: RwSignal::new(Vec::new()),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// GETs `path` (under `/api/v1`), a JSON array of rows.
    pub fn load(self, path: &'static str) {
        self.loading.set(true);
        spawn_local(async move {
            match api::get::<Vec<T>>(path).await {
                Ok(rows) => {
                    self.rows.set(rows);
                    self.error.set(None);
                }
                Err(failure) => self.error.set(Some(failure)),
            }
            self.loading.set(false);
        });
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Default for Listing<T> {
    fn default() -> Self {
        Listing::new()
    }
}

/// Which page (from 0) of `pages` to show, never past the last.
fn clamp_page(page: usize, count: usize, size: usize) -> (usize, usize) {
    let pages = count.div_ceil(size.max(1)).max(1);
    (page.min(pages - 1), pages)
}

/// Keys with a revision that changes when the row's data does, so the
/// keyed list re-renders exactly the rows that changed.
fn revise<T: Clone + PartialEq>(
    old: &Revisions<T>,
    rows: impl Iterator<Item = (String, T)>,
) -> (Revisions<T>, Vec<Item<T>>) {
    let mut next = HashMap::new();
    let mut items = Vec::new();
    for (key, row) in rows {
        let rev = match old.get(&key) {
            Some((before, rev)) if *before == row => *rev,
            Some((_, rev)) => rev.wrapping_add(1),
            None => 0,
        };
        next.insert(key.clone(), (row.clone(), rev));
        items.push((key, rev, row));
    }
    (next, items)
}

/// A table of `rows`. `key` identifies a row (and with `selection`,
/// `name` labels its checkbox, "Select prod-hz"); `filter` gives the text
/// the filter box searches (no box without it). With `server`, the server
/// pages; else the table shows `page_size` rows a page.
#[component]
pub fn DataTable<T>(
    /// DOM id, unique on the page; also prefixes the ids inside.
    id: &'static str,
    caption: Msg,
    #[prop(into)] rows: Signal<Vec<T>>,
    columns: Vec<Column<T>>,
    key: fn(&T) -> String,
    #[prop(optional)] name: Option<fn(&T) -> String>,
    #[prop(optional)] filter: Option<fn(&T) -> String>,
    #[prop(optional, into)] loading: Signal<bool>,
    #[prop(optional, into)] error: Signal<Option<Failure>>,
    #[prop(default = 25)] page_size: usize,
    #[prop(optional)] server: Option<ServerPaging>,
    /// The keys of the selected rows; checkboxes appear when given.
    #[prop(optional)]
    selection: Option<RwSignal<HashSet<String>>>,
    /// What to say when there are no rows at all.
    #[prop(default = Msg::Ui(UiMsg::Empty))]
    empty: Msg,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let columns = Arc::new(columns);
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new(None::<(usize, bool)>);
    let local_page = RwSignal::new(0_usize);
    let name = name.unwrap_or(key);

    let haystacks = Memo::new(move |_| match filter {
        Some(f) => rows.with(|r| r.iter().map(|row| f(row).to_lowercase()).collect()),
        None => Vec::<String>::new(),
    });
    let order = {
        let columns = Arc::clone(&columns);
        Memo::new(move |_| {
            let q = query.with(|q| q.trim().to_lowercase());
            let mut order: Vec<usize> = haystacks.with(|h| {
                (0..rows.with(Vec::len))
                    .filter(|&i| q.is_empty() || h.get(i).is_some_and(|s| s.contains(&q)))
                    .collect()
            });
            if let Some((col, ascending)) = sort.get()
                && let Some(by) = columns.get(col).and_then(|c| c.sort.as_ref())
            {
                rows.with(|r| order.sort_by_cached_key(|&i| by(&r[i])));
                if !ascending {
                    order.reverse();
                }
            }
            order
        })
    };
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
    let revisions = StoredValue::new(Revisions::<T>::new());
    let items = move || {
        let visible: Vec<usize> = if server.is_some() {
            order.get()
        } else {
            let (page, _) = paging();
            order.with(|o| {
                o.iter()
                    .skip(page * page_size)
                    .take(page_size)
                    .copied()
                    .collect()
            })
        };
        let (next, items) = rows.with(|r| {
            revisions
                .with_value(|old| revise(old, visible.iter().map(|&i| (key(&r[i]), r[i].clone()))))
        });
        revisions.set_value(next);
        items
    };
    // Selected rows that went away are no longer selected.
    if let Some(selected) = selection {
        Effect::new(move |_| {
            let keys: HashSet<String> = rows.with(|r| r.iter().map(key).collect());
            if selected.with_untracked(|s| s.iter().any(|k| !keys.contains(k))) {
                selected.update(|s| s.retain(|k| keys.contains(k)));
            }
        });
    }

    let headers = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let header = c.header;
            let label = tr(header);
            if c.sort.is_none() {
                return view! { <th scope="col">{label}</th> }.into_any();
            }
            let state = move || sort.get().filter(|(col, _)| *col == i).map(|(_, asc)| asc);
            let toggle = move |_| {
                let ascending = state() != Some(true);
                sort.set(Some((i, ascending)));
            };
            view! {
                <th scope="col" aria-sort=move || match state() {
                    Some(true) => "ascending",
                    Some(false) => "descending",
                    None => "none",
                }>
                    <button type="button" class="sort" on:click=toggle>
                        {label}
                        <span aria-hidden="true">
                            {move || match state() { Some(true) => " ▲", Some(false) => " ▼", None => " ↕" }}
                        </span>
                    </button>
                </th>
            }
            .into_any()
        })
        .collect_view();

    let select_all = selection.map(|selected| {
        let page_keys = move || items().into_iter().map(|(k, _, _)| k).collect::<Vec<_>>();
        let all = move || {
            let keys = page_keys();
            !keys.is_empty() && selected.with(|s| keys.iter().all(|k| s.contains(k)))
        };
        view! {
            <th scope="col" class="select">
                <label>
                    <input type="checkbox" prop:checked=all on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let keys = page_keys();
                        selected.update(|s| for k in keys {
                            if on { s.insert(k); } else { s.remove(&k); }
                        });
                    }/>
                    <span class="visually-hidden">{tr(Msg::Ui(UiMsg::SelectAll))}</span>
                </label>
            </th>
        }
    });

    let row_view = {
        let columns = Arc::clone(&columns);
        move |(k, _, row): Item<T>| {
            let check = selection.map(|selected| {
                let label = name(&row);
                let (k1, k2) = (k.clone(), k.clone());
                view! {
                    <td class="select">
                        <label>
                            <input type="checkbox"
                                prop:checked=move || selected.with(|s| s.contains(&k1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| {
                                        if on { s.insert(k2.clone()); } else { s.remove(&k2); }
                                    });
                                }/>
                            <span class="visually-hidden">
                                {move || i18n.fill(Msg::Ui(UiMsg::SelectRow), &label)}
                            </span>
                        </label>
                    </td>
                }
            });
            let cells = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let content = (c.cell)(&row);
                    if i == 0 {
                        view! { <th scope="row">{content}</th> }.into_any()
                    } else {
                        view! { <td>{content}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{check}{cells}</tr> }
        }
    };

    let filter_id = format!("{id}-filter");
    let caption_id = format!("{id}-caption");
    let labelled_by = caption_id.clone();
    let toolbar = view! {
        <div class="table-tools">
            {filter.map(|_| view! {
                <div class="field">
                    <label for=filter_id.clone()>
                        {move || i18n.fill(Msg::Ui(UiMsg::Filter), i18n.t(caption))}
                    </label>
                    <input id=filter_id.clone() type="search" autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            local_page.set(0);
                        }/>
                </div>
            })}
            <span class="count">
                {move || i18n.fill(Msg::Ui(UiMsg::Rows), &order.with(Vec::len).to_string())}
            </span>
            {selection.map(|s| view! {
                <span class="count">
                    {move || i18n.fill(Msg::Ui(UiMsg::Selected), &s.with(HashSet::len).to_string())}
                </span>
            })}
        </div>
    };

    let status = move || {
        if error.with(Option::is_some) {
            return None;
        }
        let msg = if rows.with(Vec::is_empty) {
            if loading.get() {
                UiMsg::Loading
            } else {
                return Some(tr(empty)());
            }
        } else if order.with(Vec::is_empty) {
            UiMsg::NoMatches
        } else {
            return None;
        };
        Some(tr(Msg::Ui(msg))())
    };

    let pager = move || {
        let (page, pages) = paging();
        (pages > 1 || server.is_some()).then(|| {
            view! {
                <div class="pager">
                    <button type="button" disabled={page == 0} on:click=move |_| go(page - 1)>
                        {tr(Msg::Ui(UiMsg::Previous))}
                    </button>
                    <span>{move || i18n.fill(Msg::Ui(UiMsg::Page), &format!("{} / {pages}", page + 1))}</span>
                    <button type="button" disabled={page + 1 >= pages} on:click=move |_| go(page + 1)>
                        {tr(Msg::Ui(UiMsg::Next))}
                    </button>
                </div>
            }
        })
    };

    view! {
        <div class="data-table">
            {toolbar}
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby=labelled_by>
                <table id=id aria-busy=move || loading.get().then_some("true")>
                    <caption id=caption_id>{tr(caption)}</caption>
                    <thead>
                        <tr>{select_all}{headers}</tr>
                    </thead>
                    <tbody>
                        <For each=items key=|(k, rev, _)| (k.clone(), *rev) children=row_view/>
                    </tbody>
                </table>
            </div>
            {move || status().map(|text| view! { <p role="status">{text}</p> })}
            <ErrorPanel error=error/>
            {pager}
        </div>
    }
}
