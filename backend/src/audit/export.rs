//! Streamed exports: rows go from a database cursor through a small buffer
//! into a bounded channel, so an export of any size runs in constant memory
//! and at the pace of the client.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use futures_util::{Stream, TryStreamExt};
use shared::audit::{AuditEntry, EventFilter, ExportFormat};
use tokio::sync::mpsc;

use super::AuditError;
use super::store::{conditions, entry_of_row};
use crate::db::Db;

/// A chunk is sent once the buffer holds this much.
const CHUNK: usize = 32 * 1024;

pub const CSV_HEADER: [&str; 17] = [
    "seq",
    "time",
    "actor_id",
    "actor",
    "role",
    "source",
    "action",
    "target_kind",
    "target_id",
    "target_label",
    "outcome",
    "intent_seq",
    "request_id",
    "error_code",
    "error_message",
    "changes",
    "hash",
];

/// Every entry matching `filter` (its cursor and limit ignored), newest
/// first, as CSV (with a header row) or JSON Lines: one change, one line.
pub fn export_stream(
    db: Db,
    filter: EventFilter,
    format: ExportFormat,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if let Err(err) = produce(&db, &filter, format, &tx).await {
            tracing::error!(error = %err, "audit export failed");
            // The client sees a broken transfer rather than a short file.
            let _ = tx.send(Err(std::io::Error::other(err.to_string()))).await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}

/// Stops early, without error, when the client went away.
async fn produce(
    db: &Db,
    filter: &EventFilter,
    format: ExportFormat,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), AuditError> {
    let mut conn = db.pool().acquire().await.map_err(AuditError::Read)?;
    let mut out = Encoder::new(format);
    let Some(c) = conditions(&mut conn, filter, false).await? else {
        let _ = tx.send(Ok(out.take())).await;
        return Ok(());
    };
    let sql = c.select(None);
    let mut rows = c.bind(sqlx::query(&sql)).fetch(&mut *conn);
    while let Some(row) = rows.try_next().await.map_err(AuditError::Read)? {
        out.push(&entry_of_row(&row)?);
        if out.len() >= CHUNK && tx.send(Ok(out.take())).await.is_err() {
            return Ok(());
        }
    }
    let _ = tx.send(Ok(out.take())).await;
    Ok(())
}

struct Encoder {
    format: ExportFormat,
    buf: Vec<u8>,
}

/// Appends one CSV record to `buf`.
fn csv_row<I, F>(buf: &mut Vec<u8>, fields: I)
where
    I: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1024)
        .from_writer(buf);
    w.write_record(fields).expect("writing to memory");
    w.flush().expect("writing to memory");
}

impl Encoder {
    fn new(format: ExportFormat) -> Encoder {
        let mut buf = Vec::with_capacity(CHUNK * 2);
        if format == ExportFormat::Csv {
            csv_row(&mut buf, CSV_HEADER);
        }
        Encoder { format, buf }
    }

    fn push(&mut self, e: &AuditEntry) {
        match self.format {
            ExportFormat::Csv => {
                let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
                let opt = |s: &Option<String>| s.clone().unwrap_or_default();
                let record = [
                    e.seq.to_string(),
                    rfc3339(e.at),
                    opt(&e.actor_id),
                    e.actor.clone(),
                    e.role.clone(),
                    opt(&e.source),
                    e.action.clone(),
                    e.target.kind.clone(),
                    opt(&e.target.id),
                    opt(&e.target.label),
                    e.outcome.as_str().to_owned(),
                    num(e.intent_seq),
                    opt(&e.request_id),
                    opt(&e.error_code),
                    opt(&e.error_message),
                    serde_json::to_string(&e.changes).expect("a diff serialises"),
                    e.hash.clone(),
                ];
                csv_row(&mut self.buf, &record);
            }
            ExportFormat::Jsonl => {
                serde_json::to_writer(&mut self.buf, e).expect("writing to memory");
                self.buf.push(b'\n');
            }
        }
    }

    fn len(&self) -> usize {
        self.buf.len()
    }

    fn take(&mut self) -> Bytes {
        let chunk = Bytes::copy_from_slice(&self.buf);
        self.buf.clear();
        chunk
    }
}

/// Epoch milliseconds as RFC 3339 UTC, e.g. `2026-11-22T01:35:40.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}
