//! Answers as the browser parsed them: tables and pages read a list's
//! rows by field path (`/robot/name`) from what `JSON.parse` made,
//! instead of decoding each answer into a Rust type of its own. The typed
//! decoders, and the signals, tables and loaders instantiated once per row
//! type, were much of the console's code (BENCHMARKS.md); a field read here
//! is one call into the browser.

use std::cell::RefCell;

use shared::time::Timestamp;
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
        let v = self.js();
        v.is_null() || v.is_undefined()
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
        self.js() == other.js() || (written(self) == written(other))
    }
}

fn written(v: &Json) -> Option<String> {
    js_sys::JSON::stringify(&v.js()).ok().map(String::from)
}

/// The value at a JSON pointer (`/robot/name`; `""` is the value itself),
/// `null` when absent.
pub fn at(v: &Json, ptr: &str) -> Json {
    let mut here: JsValue = v.js();
    for key in ptr.split('/').skip(1) {
        if !here.is_object() {
            return Json::new(JsValue::NULL);
        }
        here = js_sys::Reflect::get(&here, &JsValue::from_str(key)).unwrap_or(JsValue::NULL);
    }
    Json::new(here)
}

/// A string field; empty when absent or not a string.
pub fn s(v: &Json, ptr: &str) -> String {
    at(v, ptr).js().as_string().unwrap_or_default()
}

/// A field as text: a string as it is, a whole number or a boolean
/// written out, nothing for `null`.
pub fn text(v: &Json, ptr: &str) -> String {
    let value = at(v, ptr);
    let js = value.js();
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
    at(v, ptr).js().as_bool().unwrap_or(false)
}

/// A whole number field (every number the console shows is whole).
pub fn int(v: &Json, ptr: &str) -> i64 {
    at(v, ptr).js().as_f64().map_or(0, |n| n as i64)
}

/// A timestamp field (epoch milliseconds or an ISO 8601 string).
pub fn millis(v: &Json, ptr: &str) -> Option<i64> {
    let value = at(v, ptr);
    let js = value.js();
    match js.as_string() {
        Some(t) => Timestamp::parse_lenient(&t).map(Timestamp::epoch_millis),
        None => js.as_f64().map(|n| n as i64),
    }
}

/// An array field's items; none when absent.
pub fn list(v: &Json, ptr: &str) -> Vec<Json> {
    at(v, ptr)
        .js()
        .dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().map(Json::new).collect())
        .unwrap_or_default()
}

/// An object field's members, in the object's order; none when absent.
pub fn entries(v: &Json, ptr: &str) -> Vec<(String, Json)> {
    let value = at(v, ptr);
    match value.js().dyn_ref::<js_sys::Object>() {
        Some(o) if !js_sys::Array::is_array(o) => js_sys::Object::entries(o)
            .iter()
            .filter_map(|pair| {
                let pair = Json::new(pair);
                Some((at(&pair, "/0").js().as_string()?, at(&pair, "/1")))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// How many items an array field has.
pub fn len(v: &Json, ptr: &str) -> usize {
    at(v, ptr)
        .js()
        .dyn_ref::<js_sys::Array>()
        .map_or(0, |a| a.length() as usize)
}

/// A list of strings, comma-separated.
pub fn joined(v: &Json, ptr: &str) -> String {
    strings(v, ptr).join(", ")
}

/// A list field's strings.
pub fn strings(v: &Json, ptr: &str) -> Vec<String> {
    list(v, ptr)
        .iter()
        .filter_map(|s| s.js().as_string())
        .collect()
}

/// A copy of `row` with `key` set to the string `value` (a row made of a
/// nested answer, such as a robot with the account it belongs to).
pub fn with(row: &Json, key: &str, value: &str) -> Json {
    let copy = js_sys::Object::assign(&js_sys::Object::new(), row.js().unchecked_ref());
    let _ = js_sys::Reflect::set(&copy, &JsValue::from_str(key), &JsValue::from_str(value));
    Json::new(copy.into())
}
