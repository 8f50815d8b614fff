//! Answers as the browser parsed them: tables and pages read a list's
//! rows by field path (`/robot/name`) from what `JSON.parse` made,
//! instead of decoding each answer into a Rust type of its own. The typed
//! decoders, and the signals, tables and loaders instantiated once per row
//! type, were much of the console's code (BENCHMARKS.md); a field read here
//! is one call into the browser.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};

/// A JSON value as the browser holds it, by handle. Signals hold only
/// `Send` values and a `JsValue` is not one; the console runs on the
/// browser's one thread, so the values wait in a thread-local table.
/// (send_wrapper did this by checking the thread on every read: ~4 KB of
/// wasm, BENCHMARKS.md.)
#[derive(Debug)]
pub struct Json(usize);

/// Slots of the values held, and the slots free for reuse.
#[derive(Default)]
struct Held {
    slots: Vec<JsValue>,
    free: Vec<usize>,
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::default();
}

impl Json {
    pub fn new(value: JsValue) -> Json {
        HELD.with_borrow_mut(|h| match h.free.pop() {
            Some(i) => {
                h.slots[i] = value;
                Json(i)
            }
            None => {
                h.slots.push(value);
                Json(h.slots.len() - 1)
            }
        })
    }

    pub fn js(&self) -> JsValue {
        HELD.with_borrow(|h| h.slots[self.0].clone())
    }

    pub fn is_null(&self) -> bool {
        self.with(|v| v.is_null() || v.is_undefined())
    }

    /// `f` reads the value where it is held, with no copy of the handle
    /// (a call into the browser each). Private: `f` must not make or drop
    /// a `Json`, which would need the table it borrows.
    fn with<R>(&self, f: impl FnOnce(&JsValue) -> R) -> R {
        HELD.with_borrow(|h| f(&h.slots[self.0]))
    }
}

impl Clone for Json {
    fn clone(&self) -> Json {
        Json::new(self.js())
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        // The browser's value goes once the table lets go of it.
        let old = HELD.with_borrow_mut(|h| {
            h.free.push(self.0);
            std::mem::replace(&mut h.slots[self.0], JsValue::UNDEFINED)
        });
        drop(old);
    }
}

/// The same JSON: the same object, or one that writes out the same (a
/// refreshed list's unchanged rows keep their place in the table).
impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.with(|a| other.with(|b| a == b)) || (written(self) == written(other))
    }
}

fn written(v: &Json) -> Option<String> {
    v.with(|js| js_sys::JSON::stringify(js).ok().map(String::from))
}

/// The value at a JSON pointer (`/robot/name`; `""` is the value itself),
/// `null` when absent.
pub fn at(v: &Json, ptr: &str) -> Json {
    Json::new(value_at(v, ptr))
}

/// The browser's value at `ptr`: the readers below take their scalars from
/// it without holding it as a `Json` (a 1,000-row table reads thousands).
fn value_at(v: &Json, ptr: &str) -> JsValue {
    let mut keys = ptr.split('/').skip(1);
    let Some(first) = keys.next() else {
        return v.js();
    };
    let mut here = v.with(|js| member(js, first));
    for key in keys {
        here = member(&here, key);
    }
    here
}

fn member(js: &JsValue, key: &str) -> JsValue {
    if js.is_object() {
        js_sys::Reflect::get(js, &JsValue::from_str(key)).unwrap_or(JsValue::NULL)
    } else {
        JsValue::NULL
    }
}

/// A string field; empty when absent or not a string.
pub fn s(v: &Json, ptr: &str) -> String {
    value_at(v, ptr).as_string().unwrap_or_default()
}

/// A field as text: a string as it is, a whole number or a boolean
/// written out, nothing for `null`.
pub fn text(v: &Json, ptr: &str) -> String {
    let js = value_at(v, ptr);
    if let Some(s) = js.as_string() {
        s
    } else if let Some(n) = js.as_f64() {
        (n as i64).to_string()
    } else if let Some(b) = js.as_bool() {
        b.to_string()
    } else {
        String::new()
    }
}

pub fn flag(v: &Json, ptr: &str) -> bool {
    value_at(v, ptr).as_bool().unwrap_or(false)
}

/// A whole number field (every number the console shows is whole).
pub fn int(v: &Json, ptr: &str) -> i64 {
    value_at(v, ptr).as_f64().map_or(0, |n| n as i64)
}

/// A timestamp field: epoch milliseconds, as the API sends every time
/// (`shared::time::Timestamp`).
pub fn millis(v: &Json, ptr: &str) -> Option<i64> {
    value_at(v, ptr).as_f64().map(|n| n as i64)
}

/// An array field's items; none when absent.
pub fn list(v: &Json, ptr: &str) -> Vec<Json> {
    value_at(v, ptr)
        .dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().map(Json::new).collect())
        .unwrap_or_default()
}

/// An object field's members, in the object's order; none when absent.
pub fn entries(v: &Json, ptr: &str) -> Vec<(String, Json)> {
    let value = value_at(v, ptr);
    match value.dyn_ref::<js_sys::Object>() {
        Some(o) if !js_sys::Array::is_array(o) => js_sys::Object::entries(o)
            .iter()
            .filter_map(|pair| {
                let key = member(&pair, "0").as_string()?;
                Some((key, Json::new(member(&pair, "1"))))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// How many items an array field has.
pub fn len(v: &Json, ptr: &str) -> usize {
    value_at(v, ptr)
        .dyn_ref::<js_sys::Array>()
        .map_or(0, |a| a.length() as usize)
}

/// A list of strings, comma-separated.
pub fn joined(v: &Json, ptr: &str) -> String {
    strings(v, ptr).join(", ")
}

/// A list field's strings.
pub fn strings(v: &Json, ptr: &str) -> Vec<String> {
    value_at(v, ptr)
        .dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().filter_map(|s| s.as_string()).collect())
        .unwrap_or_default()
}

/// A copy of `row` with `key` set to the string `value` (a row made of a
/// nested answer, such as a robot with the account it belongs to).
pub fn with(row: &Json, key: &str, value: &str) -> Json {
    let copy = js_sys::Object::assign(&js_sys::Object::new(), row.js().unchecked_ref());
    let _ = js_sys::Reflect::set(&copy, &JsValue::from_str(key), &JsValue::from_str(value));
    Json::new(copy.into())
}
