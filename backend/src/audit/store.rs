//! The `audit_events` table: chained appends, filtered keyset queries and
//! chain verification. Only INSERT and SELECT touch events.

use futures_util::TryStreamExt;
use shared::audit::{
    AuditEntry, DEFAULT_PAGE_SIZE, EventFilter, EventPage, FieldChange, MAX_PAGE_SIZE, Outcome,
    Target as TargetView, VerifyReport,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::chain::{Checkpoint, GENESIS, Head, Record};
use super::eras;
use super::keys::{self, Keyring, Trust};
use super::plan::{self, ChainCheck};
use super::{Actor, AuditAction, AuditError, EventId, EventOutcome, NewEvent, Target};
use crate::db::Db;

/// Rows per INSERT statement: 19 parameters each stays far below SQLite's
/// 32766 and PostgreSQL's 65535 parameter limits.
const ROWS_PER_INSERT: usize = 400;

const COLUMNS: &str = "seq, at, actor_id, actor, role, source, action, target_kind, target_id, \
     target_label, changes, outcome, intent_seq, request_id, error_code, error_message, \
     prev_hash, hash, key_id";
const COLUMN_COUNT: usize = 19;

/// What one stored event records: the write-ahead intent of an upstream
/// call, or how an action (or that call) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Intent,
    Success,
    Failure,
}

impl Stage {
    /// The stored name (never changes: old events keep their meaning).
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Intent => "intent",
            Stage::Success => "success",
            Stage::Failure => "failure",
        }
    }

    fn parse(s: &str) -> Option<Stage> {
        [Stage::Intent, Stage::Success, Stage::Failure]
            .into_iter()
            .find(|stage| stage.as_str() == s)
    }
}

/// An event before it has a place in the chain.
pub(crate) struct Draft<'a> {
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub target: &'a Target,
    pub changes: &'a [FieldChange],
    pub outcome: Stage,
    pub intent_seq: Option<EventId>,
    pub request_id: Option<&'a str>,
    pub error: Option<(&'a str, &'a str)>,
}

impl<'a> Draft<'a> {
    pub fn of(event: &'a NewEvent) -> Draft<'a> {
        let (outcome, error) = match &event.outcome {
            EventOutcome::Success => (Stage::Success, None),
            EventOutcome::Failure { code, message } => {
                (Stage::Failure, Some((code.as_str(), message.as_str())))
            }
        };
        Draft {
            actor: &event.actor,
            action: event.action,
            target: &event.target,
            changes: &event.changes,
            outcome,
            intent_seq: None,
            request_id: None,
            error,
        }
    }

    fn record(&self, at: i64) -> Record {
        Record {
            seq: 0,
            at,
            actor_id: self.actor.user_id.clone(),
            actor: self.actor.username.clone(),
            role: self.actor.role.clone(),
            source: self.actor.source.map(|ip| ip.to_string()),
            action: self.action.as_str().to_owned(),
            target_kind: self.target.kind.as_str().to_owned(),
            target_id: self.target.id.clone(),
            target_label: self.target.label.clone(),
            changes: serde_json::to_string(self.changes).expect("a diff serialises"),
            outcome: self.outcome.as_str().to_owned(),
            intent_seq: self.intent_seq,
            request_id: self.request_id.map(str::to_owned),
            error_code: self.error.map(|(c, _)| c.to_owned()),
            error_message: self.error.map(|(_, m)| m.to_owned()),
            prev_hash: String::new(),
            hash: String::new(),
            key_id: None,
        }
    }
}

/// Appends `events` in order, with the given times (clamped so that time
/// never goes backwards along the chain), inside the caller's transaction.
/// For imports and the benchmark's bulk generation; actions use
/// [`super::append`].
pub async fn append_at(
    conn: &mut AnyConnection,
    events: &[(i64, NewEvent)],
) -> Result<Vec<EventId>, AuditError> {
    let records = events
        .iter()
        .map(|(at, e)| Draft::of(e).record(*at))
        .collect();
    write(conn, records).await
}

pub(crate) async fn append_draft(
    conn: &mut AnyConnection,
    draft: Draft<'_>,
) -> Result<EventId, AuditError> {
    let ids = write(conn, vec![draft.record(crate::db::now_ms())]).await?;
    Ok(ids[0])
}

/// Appends one event in a transaction of its own and commits it.
pub(crate) async fn append_committed(db: &Db, draft: Draft<'_>) -> Result<EventId, AuditError> {
    let mut tx = db.pool().begin().await.map_err(AuditError::Write)?;
    let id = append_draft(&mut tx, draft).await?;
    tx.commit().await.map_err(AuditError::Write)?;
    Ok(id)
}

const HEAD_COLUMNS: &str = "trail, seq, hash, keyed_from, keyed_mac";

fn head_of_row(row: &AnyRow) -> Result<Head, sqlx::Error> {
    Ok(Head {
        trail: row.try_get(0)?,
        seq: row.try_get(1)?,
        hash: row.try_get(2)?,
        keyed_from: row.try_get(3)?,
        keyed_mac: row.try_get(4)?,
    })
}

pub(crate) async fn read_head(conn: &mut AnyConnection) -> Result<Head, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {HEAD_COLUMNS} FROM audit_head WHERE id = 1"
    ))
    .fetch_one(&mut *conn)
    .await?;
    head_of_row(&row)
}

/// Takes the head row's lock until the caller's transaction ends:
/// concurrent appends, also from other processes, queue here, one after
/// another (SQLite serialises writers anyway).
pub(crate) async fn lock_head(conn: &mut AnyConnection) -> Result<Head, sqlx::Error> {
    let row = sqlx::query(&format!(
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING {HEAD_COLUMNS}"
    ))
    .fetch_one(&mut *conn)
    .await?;
    head_of_row(&row)
}

/// Where the next event goes: after the highest stored seq (so that no
/// stray row can make an append fail on the unique seq), linked to the
/// newest event whose own link holds (so that a forged row, even one the
/// head was moved to, is not vouched for by what follows).
struct Tip {
    next_seq: i64,
    link: String,
    at: i64,
}

async fn tip(
    conn: &mut AnyConnection,
    trust: &Trust<'_>,
    keyed_from: Option<i64>,
) -> Result<Tip, AuditError> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
        .fetch_one(&mut *conn)
        .await
        .map_err(AuditError::Write)?;
    let Some(max) = max else {
        return Ok(Tip {
            next_seq: 1,
            link: GENESIS.to_owned(),
            at: i64::MIN,
        });
    };
    let sql =
        format!("SELECT {COLUMNS} FROM audit_events WHERE seq <= $1 ORDER BY seq DESC LIMIT $2");
    // Normally the newest event is good: one row read.
    let (mut below, mut limit) = (max, 1_i64);
    loop {
        let rows = sqlx::query(&sql)
            .bind(below)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await
            .map_err(AuditError::Write)?;
        for row in &rows {
            let r = record_of_row(row)?;
            if r.check(trust, keyed_from).is_ok() {
                if r.seq != max {
                    tracing::error!(
                        good = r.seq,
                        max,
                        "AUDIT TRAIL TAMPERED: events above seq {} do not verify; \
                         new events link to seq {} and follow seq {max}",
                        r.seq,
                        r.seq
                    );
                }
                return Ok(Tip {
                    next_seq: max + 1,
                    link: r.hash,
                    at: r.at,
                });
            }
            below = r.seq - 1;
        }
        if (rows.len() as i64) < limit {
            tracing::error!(max, "AUDIT TRAIL TAMPERED: no stored event verifies");
            return Ok(Tip {
                next_seq: max + 1,
                link: GENESIS.to_owned(),
                at: i64::MIN,
            });
        }
        limit = 256;
    }
}

async fn write(
    conn: &mut AnyConnection,
    mut records: Vec<Record>,
) -> Result<Vec<EventId>, AuditError> {
    let head = lock_head(conn).await.map_err(AuditError::Write)?;
    let keys = keys::keyring(&head.trail).ok_or_else(|| AuditError::NoKey(head.trail.clone()))?;
    let eras = eras::read(conn).await.map_err(AuditError::Write)?;
    let (trust, _) = eras::trust(&keys, &head.trail, &eras);
    let tip = tip(conn, &trust, head.keyed_from).await?;
    let (mut seq, mut prev, mut at_floor) = (tip.next_seq, tip.link, tip.at);
    for r in &mut records {
        r.seq = seq;
        seq += 1;
        r.at = r.at.max(at_floor);
        at_floor = r.at;
        r.prev_hash = std::mem::take(&mut prev);
        r.sign(&keys);
        prev = r.hash.clone();
    }
    for chunk in records.chunks(ROWS_PER_INSERT) {
        insert(conn, chunk).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, at = $3 WHERE id = 1")
        .bind(seq - 1)
        .bind(&prev)
        .bind(at_floor)
        .execute(&mut *conn)
        .await
        .map_err(AuditError::Write)?;
    Ok(records.iter().map(|r| r.seq).collect())
}

/// For [`super::testing`]'s tampering: a row written as given.
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn insert_raw(conn: &mut AnyConnection, row: &Record) -> Result<(), AuditError> {
    insert(conn, std::slice::from_ref(row)).await
}

/// Every stored event in seq order, as stored (for [`super::testing`]).
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn raw_rows(db: &Db) -> Result<Vec<Record>, AuditError> {
    let sql = format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq");
    let rows = sqlx::query(&sql)
        .fetch_all(db.pool())
        .await
        .map_err(AuditError::Read)?;
    rows.iter().map(record_of_row).collect()
}

async fn insert(conn: &mut AnyConnection, rows: &[Record]) -> Result<(), AuditError> {
    let mut sql = format!("INSERT INTO audit_events ({COLUMNS}) VALUES ");
    for i in 0..rows.len() {
        let p: Vec<String> = (1..=COLUMN_COUNT)
            .map(|c| format!("${}", i * COLUMN_COUNT + c))
            .collect();
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("({})", p.join(",")));
    }
    let mut q = sqlx::query(&sql);
    for r in rows {
        q = q
            .bind(r.seq)
            .bind(r.at)
            .bind(r.actor_id.clone())
            .bind(r.actor.clone())
            .bind(r.role.clone())
            .bind(r.source.clone())
            .bind(r.action.clone())
            .bind(r.target_kind.clone())
            .bind(r.target_id.clone())
            .bind(r.target_label.clone())
            .bind(r.changes.clone())
            .bind(r.outcome.clone())
            .bind(r.intent_seq)
            .bind(r.request_id.clone())
            .bind(r.error_code.clone())
            .bind(r.error_message.clone())
            .bind(r.prev_hash.clone())
            .bind(r.hash.clone())
            .bind(r.key_id.clone());
    }
    q.execute(&mut *conn).await.map_err(AuditError::Write)?;
    Ok(())
}

enum Bind {
    Int(i64),
    Text(String),
}

/// A filter as SQL: `WHERE` conditions (with `$n` placeholders) and their
/// values.
pub(crate) struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    fn push(&mut self, template: &str, bind: Bind) {
        self.binds.push(bind);
        let n = self.binds.len();
        self.sql.push(template.replace("$?", &format!("${n}")));
    }

    /// The statement: the entries matching the conditions, newest first.
    /// An entry is every event but an intent that has an outcome, joined
    /// with the intent it resolves (whose diff it shows); an intent
    /// without outcome is an entry of its own ("unknown").
    pub fn select(&self, limit: Option<u32>) -> String {
        let mut sql = format!(
            "SELECT {}, i.changes FROM audit_events e \
             LEFT JOIN audit_events i ON i.seq = e.intent_seq AND i.outcome = 'intent' \
             WHERE (e.outcome <> 'intent' OR NOT EXISTS \
             (SELECT 1 FROM audit_events o WHERE o.intent_seq = e.seq))",
            COLUMNS
                .split(", ")
                .map(|c| format!("e.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for condition in &self.sql {
            sql.push_str(" AND ");
            sql.push_str(condition);
        }
        sql.push_str(" ORDER BY e.seq DESC");
        if let Some(limit) = limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        sql
    }

    /// Binds the values to `q`, planned for these values: a cached
    /// generic plan (PostgreSQL) cannot know how selective a filter is.
    pub fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut q = q.persistent(false);
        for b in &self.binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }
}

/// The conditions for `filter` (ignoring `before` when `with_cursor` is
/// false), or `None` when the time range holds no event at all.
pub(crate) async fn conditions(
    conn: &mut AnyConnection,
    filter: &EventFilter,
    with_cursor: bool,
) -> Result<Option<Conditions>, AuditError> {
    let mut c = Conditions {
        sql: Vec::new(),
        binds: Vec::new(),
    };
    // Time never decreases along the chain (appends clamp it, `verify`
    // reports an event older than its predecessor), so a time range is a
    // seq range: two index probes turn it into bounds that every other
    // index can use. Repeating the `at` range in the query would only
    // tempt the planner into scanning the whole range by time and sorting.
    if let Some(from) = filter.from {
        let first: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM audit_events WHERE at >= $1 ORDER BY at, seq LIMIT 1",
        )
        .bind(from)
        .fetch_optional(&mut *conn)
        .await
        .map_err(AuditError::Read)?;
        let Some(first) = first else { return Ok(None) };
        c.push("e.seq >= $?", Bind::Int(first));
    }
    if let Some(to) = filter.to {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM audit_events WHERE at < $1 ORDER BY at DESC, seq DESC LIMIT 1",
        )
        .bind(to)
        .fetch_optional(&mut *conn)
        .await
        .map_err(AuditError::Read)?;
        let Some(last) = last else { return Ok(None) };
        c.push("e.seq <= $?", Bind::Int(last));
    }
    if let (true, Some(before)) = (with_cursor, filter.before) {
        c.push("e.seq < $?", Bind::Int(before));
    }
    if let Some(actor) = &filter.actor {
        c.push("e.actor = $?", Bind::Text(actor.clone()));
    }
    if let Some(action) = &filter.action {
        c.push("e.action = $?", Bind::Text(action.clone()));
    }
    if let Some(target) = &filter.target {
        c.binds.push(Bind::Text(target.clone()));
        let n = c.binds.len();
        c.sql
            .push(format!("(e.target_id = ${n} OR e.target_label = ${n})"));
    }
    if let Some(outcome) = filter.outcome {
        // An entry's outcome is its last event's; "unknown" is an intent
        // that is an entry, i.e. one without outcome.
        let stage = match outcome {
            Outcome::Success => Stage::Success,
            Outcome::Failure => Stage::Failure,
            Outcome::Unknown => Stage::Intent,
        };
        c.push("e.outcome = $?", Bind::Text(stage.as_str().into()));
    }
    Ok(Some(c))
}

/// One page of events matching `filter`, newest first.
pub async fn query(db: &Db, filter: &EventFilter) -> Result<EventPage, AuditError> {
    let limit = filter
        .limit
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let Some(c) = conditions(&mut conn, filter, true).await? else {
        return Ok(EventPage {
            events: Vec::new(),
            next_cursor: None,
        });
    };
    // One more than asked tells whether an older page exists.
    let sql = c.select(Some(limit + 1));
    let rows = c
        .bind(sqlx::query(&sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(AuditError::Read)?;
    let mut events = rows
        .iter()
        .map(entry_of_row)
        .collect::<Result<Vec<_>, _>>()?;
    let more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let next_cursor = more.then(|| events.last().map(|e| e.seq)).flatten();
    Ok(EventPage {
        events,
        next_cursor,
    })
}

/// A row of [`Conditions::select`] as the API shows it.
pub(crate) fn entry_of_row(row: &AnyRow) -> Result<AuditEntry, AuditError> {
    let record = record_of_row(row)?;
    let intent_changes: Option<String> = row.try_get(COLUMN_COUNT).map_err(AuditError::Read)?;
    let corrupt = |reason: String| AuditError::Corrupt {
        seq: record.seq,
        reason,
    };
    let diff = |text: &str| -> Result<Vec<FieldChange>, AuditError> {
        serde_json::from_str(text).map_err(|e| corrupt(format!("changes are not a diff: {e}")))
    };
    // The intent's diff, then what the outcome learned (if anything).
    let mut changes = intent_changes
        .as_deref()
        .map(diff)
        .transpose()?
        .unwrap_or_default();
    changes.extend(diff(&record.changes)?);
    let stage = Stage::parse(&record.outcome)
        .ok_or_else(|| corrupt(format!("unknown outcome {:?}", record.outcome)))?;
    let (outcome, intent_seq) = match stage {
        Stage::Intent => (Outcome::Unknown, Some(record.seq)),
        Stage::Success => (Outcome::Success, record.intent_seq),
        Stage::Failure => (Outcome::Failure, record.intent_seq),
    };
    Ok(AuditEntry {
        seq: record.seq,
        at: record.at,
        actor_id: record.actor_id,
        actor: record.actor,
        role: record.role,
        source: record.source,
        action: record.action,
        target: TargetView {
            kind: record.target_kind,
            id: record.target_id,
            label: record.target_label,
        },
        changes,
        outcome,
        intent_seq,
        request_id: record.request_id,
        error_code: record.error_code,
        error_message: record.error_message,
        hash: record.hash,
    })
}

/// The first [`COLUMN_COUNT`] columns (in [`COLUMNS`] order).
fn record_of_row(row: &AnyRow) -> Result<Record, AuditError> {
    fn get<T>(row: &AnyRow, i: usize) -> Result<T, AuditError>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        row.try_get(i).map_err(AuditError::Read)
    }
    Ok(Record {
        seq: get(row, 0)?,
        at: get(row, 1)?,
        actor_id: get(row, 2)?,
        actor: get(row, 3)?,
        role: get(row, 4)?,
        source: get(row, 5)?,
        action: get(row, 6)?,
        target_kind: get(row, 7)?,
        target_id: get(row, 8)?,
        target_label: get(row, 9)?,
        changes: get(row, 10)?,
        outcome: get(row, 11)?,
        intent_seq: get(row, 12)?,
        request_id: get(row, 13)?,
        error_code: get(row, 14)?,
        error_message: get(row, 15)?,
        prev_hash: get(row, 16)?,
        hash: get(row, 17)?,
        key_id: get(row, 18)?,
    })
}

/// The signed statement that the trail's keyed links start at
/// `keyed_from`: "key id:mac".
pub(crate) fn switch_over_mac(keys: &Keyring, trail: &str, keyed_from: i64) -> String {
    let key = keys.current();
    let mac = key.mac(&[plan::switch_over_input(trail, keyed_from).as_bytes()]);
    format!("{}:{mac}", key.id())
}

/// What a walk of the chain found, and its last good event (the one a
/// checkpoint vouches for).
pub(crate) struct Walk {
    pub report: VerifyReport,
    pub trail: String,
    pub keys: Keyring,
    pub good_seq: i64,
    pub good_link: String,
    pub keyed_from: Option<i64>,
}

/// Reads every stored event in seq order, also those above the head, and
/// reports every event that is missing, duplicated, edited, forged, out of
/// place, older than its predecessor or signed with an unknown key, and
/// every checkpoint the trail no longer matches. Streams: constant memory.
pub(crate) async fn walk(db: &Db, checkpoints: &[Checkpoint]) -> Result<Walk, AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let head = read_head(&mut conn).await.map_err(AuditError::Read)?;
    let keys = keys::keyring(&head.trail).ok_or_else(|| AuditError::NoKey(head.trail.clone()))?;
    let eras = eras::read(&mut conn).await.map_err(AuditError::Read)?;
    let (trust, era_problems) = eras::trust(&keys, &head.trail, &eras);
    let mut check = ChainCheck::start(&head, &trust, &keys, checkpoints, era_problems)?;
    let sql = format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq");
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = rows.try_next().await.map_err(AuditError::Read)? {
        check.event(record_of_row(&row)?);
    }
    drop(rows);
    let verdict = check.finish();
    Ok(Walk {
        report: verdict.report,
        trail: head.trail,
        keys,
        good_seq: verdict.good_seq,
        good_link: verdict.good_link,
        keyed_from: head.keyed_from,
    })
}

/// Verifies the whole trail (see [`walk`]) and keeps the verdict for the
/// audit page's banner and `/readyz`.
pub async fn verify(db: &Db) -> Result<VerifyReport, AuditError> {
    let walk = walk(db, &[]).await?;
    keys::note_health(&walk.trail, &walk.report);
    Ok(walk.report)
}
