//! The `audit_events` table: chained appends, filtered keyset queries and
//! chain verification. Only INSERT and SELECT touch events.

use futures_util::TryStreamExt;
use shared::audit::{
    AuditEvent, BrokenLink, DEFAULT_PAGE_SIZE, EventFilter, EventPage, FieldChange, MAX_PAGE_SIZE,
    Outcome, OutcomeFilter, Target as TargetView, VerifyReport,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::chain::{GENESIS, Record};
use super::{Actor, AuditAction, AuditError, EventId, EventOutcome, NewEvent, Target};
use crate::db::Db;

/// Rows per INSERT statement: 18 parameters each stays far below SQLite's
/// 32766 and PostgreSQL's 65535 parameter limits.
const ROWS_PER_INSERT: usize = 400;

const COLUMNS: &str = "seq, at, actor_id, actor, role, source, action, target_kind, target_id, \
     target_label, changes, outcome, intent_seq, request_id, error_code, error_message, \
     prev_hash, hash";

/// An event before it has a place in the chain.
pub(crate) struct Draft<'a> {
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub target: &'a Target,
    pub changes: &'a [FieldChange],
    pub outcome: Outcome,
    pub intent_seq: Option<EventId>,
    pub request_id: Option<&'a str>,
    pub error: Option<(&'a str, &'a str)>,
}

impl<'a> Draft<'a> {
    pub fn of(event: &'a NewEvent) -> Draft<'a> {
        let (outcome, error) = match &event.outcome {
            EventOutcome::Success => (Outcome::Success, None),
            EventOutcome::Failure { code, message } => {
                (Outcome::Failure, Some((code.as_str(), message.as_str())))
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

async fn write(
    conn: &mut AnyConnection,
    mut records: Vec<Record>,
) -> Result<Vec<EventId>, AuditError> {
    let count = i64::try_from(records.len()).expect("a batch fits in i64");
    // Moving the head first takes its row lock until the caller's
    // transaction ends: concurrent appends queue here, one after another.
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash, at")
            .bind(count)
            .fetch_one(&mut *conn)
            .await
            .map_err(AuditError::Write)?;
    let last: i64 = head.try_get(0).map_err(AuditError::Write)?;
    let mut prev: String = head.try_get(1).map_err(AuditError::Write)?;
    let mut at_floor: i64 = head.try_get(2).map_err(AuditError::Write)?;
    let mut seq = last - count;
    for r in &mut records {
        seq += 1;
        r.seq = seq;
        r.at = r.at.max(at_floor);
        at_floor = r.at;
        r.prev_hash = std::mem::take(&mut prev);
        r.hash = r.expected_hash();
        prev = r.hash.clone();
    }
    for chunk in records.chunks(ROWS_PER_INSERT) {
        insert(conn, chunk).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1, at = $2 WHERE id = 1")
        .bind(&prev)
        .bind(at_floor)
        .execute(&mut *conn)
        .await
        .map_err(AuditError::Write)?;
    Ok(records.iter().map(|r| r.seq).collect())
}

async fn insert(conn: &mut AnyConnection, rows: &[Record]) -> Result<(), AuditError> {
    let mut sql = format!("INSERT INTO audit_events ({COLUMNS}) VALUES ");
    for i in 0..rows.len() {
        let p: Vec<String> = (1..=18).map(|c| format!("${}", i * 18 + c)).collect();
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
            .bind(r.hash.clone());
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

    /// The statement: events matching the conditions, newest first, each
    /// with the seq of its outcome when it is an intent.
    pub fn select(&self, limit: Option<u32>) -> String {
        let mut sql = format!(
            "SELECT {COLUMNS}, CASE WHEN e.outcome = 'intent' THEN \
             (SELECT MIN(o.seq) FROM audit_events o WHERE o.intent_seq = e.seq) END \
             FROM audit_events e"
        );
        if !self.sql.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.sql.join(" AND "));
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
    match filter.outcome {
        None => {}
        Some(OutcomeFilter::Unknown) => {
            c.push("e.outcome = $?", Bind::Text("intent".into()));
            c.sql.push(
                "NOT EXISTS (SELECT 1 FROM audit_events o WHERE o.intent_seq = e.seq)".into(),
            );
        }
        Some(o) => c.push("e.outcome = $?", Bind::Text(o.as_str().into())),
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
        .map(event_of_row)
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
pub(crate) fn event_of_row(row: &AnyRow) -> Result<AuditEvent, AuditError> {
    let record = record_of_row(row)?;
    let outcome_seq: Option<i64> = row.try_get(18).map_err(AuditError::Read)?;
    let corrupt = |reason: String| AuditError::Corrupt {
        seq: record.seq,
        reason,
    };
    let changes: Vec<FieldChange> = serde_json::from_str(&record.changes)
        .map_err(|e| corrupt(format!("changes are not a diff: {e}")))?;
    let outcome = Outcome::parse(&record.outcome)
        .ok_or_else(|| corrupt(format!("unknown outcome {:?}", record.outcome)))?;
    Ok(AuditEvent {
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
        intent_seq: record.intent_seq,
        outcome_seq,
        request_id: record.request_id,
        error_code: record.error_code,
        error_message: record.error_message,
        hash: record.hash,
    })
}

/// The first 18 columns (in [`COLUMNS`] order).
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
    })
}

/// Walks the whole chain up to the head and reports the first event that
/// is missing, edited or out of place. Streams: constant memory.
pub async fn verify(db: &Db) -> Result<VerifyReport, AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(AuditError::Read)?;
    let head_seq: i64 = head.try_get(0).map_err(AuditError::Read)?;
    let head_hash: String = head.try_get(1).map_err(AuditError::Read)?;
    // Events above the head were appended after it was read: not ours.
    let sql = format!("SELECT {COLUMNS} FROM audit_events WHERE seq <= $1 ORDER BY seq");
    let mut rows = sqlx::query(&sql).bind(head_seq).fetch(&mut *conn);
    let mut report = VerifyReport {
        checked: 0,
        head_seq,
        first_broken: None,
    };
    let (mut prev_seq, mut prev_hash, mut prev_at) = (0_i64, GENESIS.to_owned(), i64::MIN);
    let broken = |seq: i64, reason: String| Some(BrokenLink { seq, reason });
    while let Some(row) = rows.try_next().await.map_err(AuditError::Read)? {
        let r = record_of_row(&row)?;
        report.checked += 1;
        report.first_broken = if r.seq != prev_seq + 1 {
            broken(
                prev_seq + 1,
                format!("events {} to {} are missing", prev_seq + 1, r.seq - 1),
            )
        } else if r.prev_hash != prev_hash {
            broken(
                r.seq,
                format!("prev_hash does not match the hash of event {prev_seq}"),
            )
        } else if r.expected_hash() != r.hash {
            broken(
                r.seq,
                "the event's contents do not match its hash (edited)".into(),
            )
        } else if r.at < prev_at {
            broken(r.seq, "the event is older than its predecessor".into())
        } else {
            None
        };
        if report.first_broken.is_some() {
            return Ok(report);
        }
        (prev_seq, prev_hash, prev_at) = (r.seq, r.hash, r.at);
    }
    report.first_broken = if prev_seq < head_seq {
        broken(
            prev_seq + 1,
            format!("events {} to {head_seq} are missing", prev_seq + 1),
        )
    } else if prev_hash != head_hash {
        broken(
            head_seq,
            "the chain's head does not match the last event".into(),
        )
    } else {
        None
    };
    Ok(report)
}
