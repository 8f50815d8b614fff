//! The few answers the console computes with (the session, error bodies,
//! per-item outcomes, a plan's changes), read from the browser's parsed
//! JSON into their `shared` types. Not serde: its decoders, its error
//! messages and the float formatting they pull in were ~37 KB of the
//! wasm's code for these few types (BENCHMARKS.md, fourth pass). The
//! shapes are the server's; `shared`'s own tests pin them.

use shared::api::{ErrorBody, Meta};
use shared::audit::{FieldChange, SecretChange};
use shared::auth::{Action, Role, SessionInfo, User};
use shared::outcome::{ItemOutcome, ItemStatus};
use shared::validate::{Params, Problem};

use crate::json::{self, Json};

/// A value read from JSON; `None` when the JSON is not of its shape.
pub trait FromJson: Sized {
    fn from_json(v: &Json) -> Option<Self>;
}

impl FromJson for Json {
    fn from_json(v: &Json) -> Option<Json> {
        Some(v.clone())
    }
}

/// Every item, or `None` when one is not of the shape.
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Json) -> Option<Vec<T>> {
        if !js_sys::Array::is_array(&v.js()) {
            return None;
        }
        json::list(v, "").iter().map(T::from_json).collect()
    }
}

/// A string field that must be there.
fn string(v: &Json, ptr: &str) -> Option<String> {
    json::at(v, ptr).js().as_string()
}

impl FromJson for ErrorBody {
    fn from_json(v: &Json) -> Option<ErrorBody> {
        let problem = json::at(v, "/problem");
        Some(ErrorBody {
            code: string(v, "/code")?,
            message: string(v, "/message")?,
            field: string(v, "/field"),
            problem: if problem.is_null() {
                None
            } else {
                Some(Problem::from_json(&problem)?)
            },
            request_id: string(v, "/request_id"),
            trace_id: string(v, "/trace_id"),
        })
    }
}

impl FromJson for Problem {
    fn from_json(v: &Json) -> Option<Problem> {
        let params = json::at(v, "/params");
        let number = |key: &str| {
            json::at(&params, key)
                .js()
                .as_f64()
                .and_then(shared::validate::whole)
        };
        let mut chars = params
            .js()
            .as_string()
            .unwrap_or_default()
            .chars()
            .collect::<Vec<_>>();
        let p = Params {
            min: number("/min"),
            max: number("/max"),
            count: number("/count"),
            ch: (chars.len() == 1).then(|| chars.remove(0)),
        };
        Problem::from_parts(&string(v, "/kind")?, &p).ok()
    }
}

impl FromJson for SessionInfo {
    fn from_json(v: &Json) -> Option<SessionInfo> {
        let u = json::at(v, "/user");
        Some(SessionInfo {
            user: User {
                id: string(&u, "/id")?,
                username: string(&u, "/username")?,
                role: Role::parse(&string(&u, "/role")?)?,
                disabled: json::at(&u, "/disabled").js().as_bool()?,
                created_at: json::millis(&u, "/created_at")?,
            },
            csrf_token: string(v, "/csrf_token")?,
            // An action this console does not know (a newer server's) is
            // one it has no page for.
            permissions: json::strings(v, "/permissions")
                .iter()
                .filter_map(|a| Action::parse(a))
                .collect(),
        })
    }
}

impl FromJson for Meta {
    fn from_json(v: &Json) -> Option<Meta> {
        Some(Meta {
            version: string(v, "/version")?,
            sandbox: json::at(v, "/sandbox").js().as_bool()?,
        })
    }
}

impl FromJson for ItemOutcome {
    fn from_json(v: &Json) -> Option<ItemOutcome> {
        let error = json::at(v, "/error");
        let status = match (string(v, "/status")?.as_str(), error.is_null()) {
            ("done", true) => ItemStatus::Done {
                request_id: string(v, "/request_id"),
            },
            ("unchanged", true) => ItemStatus::Unchanged,
            ("failed", false) => ItemStatus::Failed {
                error: ErrorBody::from_json(&error)?,
            },
            _ => return None,
        };
        Some(ItemOutcome {
            id: string(v, "/id")?,
            name: string(v, "/name"),
            status,
        })
    }
}

impl FromJson for FieldChange {
    fn from_json(v: &Json) -> Option<FieldChange> {
        let secret = match string(v, "/secret").as_deref() {
            None => None,
            Some("changed") => Some(SecretChange::Changed),
            Some("unchanged") => Some(SecretChange::Unchanged),
            Some(_) => return None,
        };
        Some(FieldChange {
            field: string(v, "/field")?,
            before: string(v, "/before"),
            after: string(v, "/after"),
            secret,
        })
    }
}
