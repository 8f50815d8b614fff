//! Audit trail at size: filtered page latency (p50/p95) and export memory,
//! on SQLite and PostgreSQL.
//!
//!     cargo bench -p backend --bench audit
//!     AUDIT_BENCH_N=100000 cargo bench -p backend --bench audit   # quicker
//!     AUDIT_BENCH_BACKENDS=postgres cargo bench -p backend --bench audit
//!
//! Generates N events (default 1,000,000) with correct keyed chain links
//! (HMAC-SHA256 under the test database's random audit key) through
//! `audit::append_at` (multi-row inserts, 10,000 events per transaction),
//! times a full `audit::verify` of them, then times pages of 50 for
//! typical filters, first pages and pages at a random cursor alike. The export runs in a child process (this binary
//! again) that reports its peak RSS growth from /proc/self/status.

use std::time::{Duration, Instant};

use backend::audit::{self, Actor, AuditAction, NewEvent, Target, TargetKind};
use backend::db::{Backend, Db};
use backend::testing::TestDb;
use futures_util::TryStreamExt;
use rand::{Rng, SeedableRng};
use shared::audit::{EventFilter, ExportFormat, Outcome};

const DAY_MS: i64 = 86_400_000;
const SPAN_DAYS: i64 = 90;
const ACTORS: usize = 50;
const TARGETS: usize = 5_000;
const BATCH: usize = 10_000;
const RUNS: usize = 100;
const CHILD_VAR: &str = "AUDIT_BENCH_EXPORT_CHILD";

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    if let Ok(spec) = std::env::var(CHILD_VAR) {
        return rt.block_on(export_child(&spec));
    }
    let n: usize = std::env::var("AUDIT_BENCH_N")
        .ok()
        .map(|v| v.replace('_', "").parse())
        .transpose()?
        .unwrap_or(1_000_000);
    // AUDIT_BENCH_BACKENDS=sqlite or postgres runs only that engine.
    let only = std::env::var("AUDIT_BENCH_BACKENDS").unwrap_or_default();
    for backend in Backend::ALL {
        if only.is_empty() || only.eq_ignore_ascii_case(&format!("{backend:?}")) {
            rt.block_on(bench(backend, n))?;
        }
    }
    Ok(())
}

fn event(rng: &mut impl Rng) -> NewEvent {
    let actor = Actor {
        user_id: None,
        username: format!("user{}", rng.random_range(0..ACTORS)),
        role: "admin".into(),
        source: Some([10, 0, 0, rng.random::<u8>()].into()),
    };
    let t = rng.random_range(0..TARGETS);
    let action = AuditAction::ALL[rng.random_range(0..AuditAction::ALL.len())];
    let target = Target::new(
        TargetKind::Group,
        format!("chat{t:05}"),
        format!("group {t}"),
    );
    let changes = vec![shared::audit::FieldChange {
        field: "title".into(),
        before: Some(format!("\"group {t}\"")),
        after: Some(format!("\"group {t} (renamed)\"")),
        secret: None,
    }];
    let event = NewEvent::success(actor, action, target).with_changes(changes);
    if rng.random_ratio(3, 100) {
        event.failed(
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    } else {
        event
    }
}

async fn generate(db: &Db, n: usize, start: i64) -> anyhow::Result<()> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    let step = (SPAN_DAYS * DAY_MS) as f64 / n as f64;
    let mut done = 0;
    while done < n {
        let batch: Vec<_> = (done..n.min(done + BATCH))
            .map(|i| (start + (i as f64 * step) as i64, event(&mut rng)))
            .collect();
        let mut tx = db.pool().begin().await?;
        audit::append_at(&mut tx, &batch).await?;
        tx.commit().await?;
        done += batch.len();
    }
    // Planner statistics, as autovacuum / a periodic ANALYZE keeps them.
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn filters(start: i64) -> Vec<(&'static str, EventFilter)> {
    let mid = start + SPAN_DAYS * DAY_MS / 2;
    let f = EventFilter::default;
    vec![
        ("no filter", f()),
        (
            "actor",
            EventFilter {
                actor: Some("user17".into()),
                ..f()
            },
        ),
        (
            "action",
            EventFilter {
                action: Some("group.update".into()),
                ..f()
            },
        ),
        (
            "target (id or label)",
            EventFilter {
                target: Some("group 1234".into()),
                ..f()
            },
        ),
        (
            "outcome = failure",
            EventFilter {
                outcome: Some(Outcome::Failure),
                ..f()
            },
        ),
        (
            "outcome = unknown",
            EventFilter {
                outcome: Some(Outcome::Unknown),
                ..f()
            },
        ),
        (
            "one day",
            EventFilter {
                from: Some(mid),
                to: Some(mid + DAY_MS),
                ..f()
            },
        ),
        (
            "actor + action + 30 days",
            EventFilter {
                actor: Some("user3".into()),
                action: Some("robot.update".into()),
                from: Some(mid),
                to: Some(mid + 30 * DAY_MS),
                ..f()
            },
        ),
    ]
}

async fn bench(backend: Backend, n: usize) -> anyhow::Result<()> {
    let t = TestDb::fresh(backend).await;
    let start = backend::db::now_ms() - SPAN_DAYS * DAY_MS;
    let began = Instant::now();
    generate(&t.db, n, start).await?;
    println!(
        "\n## {backend:?}: {n} events generated in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let began = Instant::now();
    let report = audit::verify(&t.db).await?;
    anyhow::ensure!(
        report.is_valid() && report.checked == n as u64,
        "the generated chain does not verify: {report:?}"
    );
    println!(
        "verify: {n} keyed links checked in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    println!("| filter | p50 ms | p95 ms | rows/page |");
    println!("|---|---:|---:|---:|");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for (name, filter) in filters(start) {
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for run in 0..RUNS {
            // Half first pages, half pages further back.
            let before = (run % 2 == 1).then(|| rng.random_range(1..=n as i64));
            let f = EventFilter {
                before,
                limit: Some(50),
                ..filter.clone()
            };
            let began = Instant::now();
            let page = audit::query(&t.db, &f).await?;
            times.push(began.elapsed());
            rows += page.events.len();
        }
        times.sort_unstable();
        println!(
            "| {name} | {:.2} | {:.2} | {:.0} |",
            percentile(&times, 0.50),
            percentile(&times, 0.95),
            rows as f64 / RUNS as f64
        );
    }
    for format in ["csv", "jsonl"] {
        let out = std::process::Command::new(std::env::current_exe()?)
            .env(CHILD_VAR, format!("{format} {}", t.url))
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "export child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    Ok(())
}

/// kB of a `/proc/self/status` field.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

async fn export_child(spec: &str) -> anyhow::Result<()> {
    let (format, url) = spec.split_once(' ').expect("FORMAT URL");
    let format = if format == "csv" {
        ExportFormat::Csv
    } else {
        ExportFormat::Jsonl
    };
    let db = Db::connect(url).await?;
    let rss_before = status_kb("VmRSS:");
    let began = Instant::now();
    let mut stream = std::pin::pin!(audit::export_stream(db, EventFilter::default(), format));
    let (mut bytes, mut lines) = (0_usize, 0_usize);
    while let Some(chunk) = stream.try_next().await? {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let peak = status_kb("VmHWM:");
    println!(
        "export {format:?}: {lines} lines, {:.1} MB in {:.1} s; RSS before {:.1} MB, \
         peak (VmHWM) {:.1} MB, growth {:.1} MB",
        bytes as f64 / 1e6,
        began.elapsed().as_secs_f64(),
        rss_before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(rss_before) as f64 / 1024.0,
    );
    Ok(())
}
