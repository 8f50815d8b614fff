//! Finding people by name for every picker (owner, members, admins,
//! nickname target): the directory's contact search, then names read with
//! `topapi/v2/user/get` and cached briefly. The client's per-app rate limit
//! paces the reads; a handful run at once.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use shared::groups::{DirectoryLang, Person, PersonRef, UserId};
use shared::validate::Problem;
use tokio::task::JoinSet;

use crate::error::ApiError;
use crate::upstream::Upstream;
use crate::upstream::dingtalk::DingTalkApp;
use crate::upstream::error::{ErrorKind, UpstreamError};

/// How long a name read from the directory is reused.
pub const NAME_TTL: Duration = Duration::from_secs(300);
/// Directory reads in flight at once for one request.
const PARALLEL_READS: usize = 8;
/// People a search shows.
pub const SEARCH_RESULTS: u32 = 20;

type Key = (String, UserId);
/// A name (`None`: the user does not exist) and when it was read.
type Entry = (Option<String>, Instant);

/// Names by app and user.
static NAMES: LazyLock<Mutex<HashMap<Key, Entry>>> = LazyLock::new(Default::default);

fn cached(app: &DingTalkApp, id: &UserId) -> Option<Option<String>> {
    let names = NAMES.lock().expect("name cache lock poisoned");
    names
        .get(&(app.app_key.clone(), id.clone()))
        .filter(|(_, at)| at.elapsed() < NAME_TTL)
        .map(|(name, _)| name.clone())
}

/// Remembers names read elsewhere (a group's member list).
pub fn remember(app: &DingTalkApp, names: impl IntoIterator<Item = (UserId, String)>) {
    let mut cache = NAMES.lock().expect("name cache lock poisoned");
    let now = Instant::now();
    for (id, name) in names {
        cache.insert((app.app_key.clone(), id), (Some(name), now));
    }
}

/// One user's name, `None` when the directory does not know them.
async fn name_of(
    up: &Upstream,
    app: &DingTalkApp,
    id: &UserId,
) -> Result<Option<String>, UpstreamError> {
    if let Some(known) = cached(app, id) {
        return Ok(known);
    }
    let name = match up.dingtalk.user(app, id, DirectoryLang::ZhCn).await {
        Ok(user) => Some(user.name),
        Err(err) if err.kind == ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    NAMES.lock().expect("name cache lock poisoned").insert(
        (app.app_key.clone(), id.clone()),
        (name.clone(), Instant::now()),
    );
    Ok(name)
}

/// The names of `ids`; users the directory does not know are left out.
pub async fn names(
    up: &Arc<Upstream>,
    app: &DingTalkApp,
    ids: &[UserId],
) -> Result<HashMap<UserId, String>, UpstreamError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(PARALLEL_READS) {
        let mut reads = JoinSet::new();
        for id in chunk {
            let (up, app, id) = (up.clone(), app.clone(), id.clone());
            reads.spawn(async move {
                let name = name_of(&up, &app, &id).await;
                (id, name)
            });
        }
        while let Some(read) = reads.join_next().await {
            let (id, name) = read.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
            if let Some(name) = name? {
                out.insert(id, name);
            }
        }
    }
    Ok(out)
}

/// People whose name, pinyin or English name holds `word`.
pub async fn search(
    up: &Arc<Upstream>,
    app: &DingTalkApp,
    word: &str,
) -> Result<Vec<Person>, ApiError> {
    let word = word.trim();
    if word.is_empty() {
        return Err(ApiError::invalid("q", "type part of a name"));
    }
    let found = up
        .dingtalk
        .search_users(app, word, 0, SEARCH_RESULTS, false)
        .await?;
    let names = names(up, app, &found.user_ids).await?;
    Ok(found
        .user_ids
        .into_iter()
        .filter_map(|id| {
            let name = names.get(&id)?.clone();
            Some(Person { user_id: id, name })
        })
        .collect())
}

/// The list `field` of a request as people to look up, refusing a blank or
/// malformed one by its path (`add[2]`).
pub fn refs(field: &str, values: &[String]) -> Result<Vec<PersonRef>, ApiError> {
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            PersonRef::parse(value).map_err(|e| {
                ApiError::invalid_because(format!("{field}[{i}]"), e.problem, e.message)
            })
        })
        .collect()
}

/// The people meant by the list `field` (user ids, or exact names as
/// pasted), one per distinct person, each checked against the directory: an
/// unknown id or a name that matches no one or several people is refused,
/// naming the item's path and value, before anything changes.
pub async fn resolve(
    up: &Arc<Upstream>,
    app: &DingTalkApp,
    field: &str,
    refs: &[PersonRef],
) -> Result<Vec<Person>, ApiError> {
    let ids: Vec<UserId> = refs.iter().filter_map(as_user_id).collect();
    let known = names(up, app, &ids).await?;
    let mut out: Vec<Person> = Vec::with_capacity(refs.len());
    for (i, who) in refs.iter().enumerate() {
        let person = person(up, app, &format!("{field}[{i}]"), who, &known).await?;
        if !out.iter().any(|p| p.user_id == person.user_id) {
            out.push(person);
        }
    }
    Ok(out)
}

/// The one person `who` means, as [`resolve`] finds them.
pub async fn resolve_one(
    up: &Arc<Upstream>,
    app: &DingTalkApp,
    field: &str,
    who: &PersonRef,
) -> Result<Person, ApiError> {
    let ids: Vec<UserId> = as_user_id(who).into_iter().collect();
    let known = names(up, app, &ids).await?;
    person(up, app, field, who, &known).await
}

fn as_user_id(who: &PersonRef) -> Option<UserId> {
    UserId::parse(who.as_str()).ok()
}

/// `who` as a known user id, else as an exact name.
async fn person(
    up: &Upstream,
    app: &DingTalkApp,
    field: &str,
    who: &PersonRef,
    known: &HashMap<UserId, String>,
) -> Result<Person, ApiError> {
    let by_id = as_user_id(who).and_then(|id| {
        let name = known.get(&id)?.clone();
        Some(Person { user_id: id, name })
    });
    match by_id {
        Some(person) => Ok(person),
        None => by_exact_name(up, app, field, who.as_str()).await,
    }
}

async fn by_exact_name(
    up: &Upstream,
    app: &DingTalkApp,
    field: &str,
    value: &str,
) -> Result<Person, ApiError> {
    let found = up.dingtalk.search_users(app, value, 0, 2, true).await?;
    match found.user_ids.as_slice() {
        [] => Err(ApiError::invalid_because(
            field,
            Problem::Unknown,
            format!("{value:?} is neither a user id nor the name of anyone in the directory"),
        )),
        [id] => Ok(Person {
            user_id: id.clone(),
            name: value.to_owned(),
        }),
        _ => {
            let count = found.total_count.max(2);
            Err(ApiError::invalid_because(
                field,
                Problem::Ambiguous {
                    count: count as usize,
                },
                format!("{value:?} is the name of {count} people; pick one by user id"),
            ))
        }
    }
}
