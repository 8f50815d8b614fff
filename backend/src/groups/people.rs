//! Finding people by name for every picker (owner, members, admins,
//! nickname target): the directory's contact search, then names read with
//! `topapi/v2/user/get` and cached briefly. The client's per-app rate limit
//! paces the reads; a handful run at once.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use shared::groups::{DirectoryLang, Person, UserId};
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

/// The people meant by `values` (user ids, or exact names as pasted),
/// each checked against the directory: an unknown id or a name that
/// matches no one or several people is refused, naming `field` and the
/// value, before anything changes.
pub async fn resolve(
    up: &Arc<Upstream>,
    app: &DingTalkApp,
    field: &'static str,
    values: &[String],
) -> Result<Vec<Person>, ApiError> {
    let values: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    let ids: Vec<UserId> = values
        .iter()
        .filter_map(|v| UserId::parse(v).ok())
        .collect();
    let known = names(up, app, &ids).await?;
    let mut out: Vec<Person> = Vec::with_capacity(values.len());
    for value in values {
        let person = match UserId::parse(value).ok().and_then(|id| {
            let name = known.get(&id)?.clone();
            Some(Person { user_id: id, name })
        }) {
            Some(person) => person,
            None => by_exact_name(up, app, field, value).await?,
        };
        if !out.iter().any(|p| p.user_id == person.user_id) {
            out.push(person);
        }
    }
    Ok(out)
}

async fn by_exact_name(
    up: &Upstream,
    app: &DingTalkApp,
    field: &'static str,
    value: &str,
) -> Result<Person, ApiError> {
    let found = up.dingtalk.search_users(app, value, 0, 2, true).await?;
    match found.user_ids.as_slice() {
        [] => Err(ApiError::invalid(
            field,
            format!("{value:?} is neither a user id nor the name of anyone in the directory"),
        )),
        [id] => Ok(Person {
            user_id: id.clone(),
            name: value.to_owned(),
        }),
        _ => Err(ApiError::invalid(
            field,
            format!(
                "{value:?} is the name of {} people; pick one by user id",
                found.total_count.max(2)
            ),
        )),
    }
}
