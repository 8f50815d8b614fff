//! Cold start and idle memory of the `chatdesk` binary, as an operator runs
//! it: time from exec until `/healthz` answers, then the resident set after
//! it has sat idle. Budgets: cold start <= 300 ms, idle RSS <= 40 MB.
//!
//! Run with `cargo bench -p backend --bench startup` (release build).
//! `CHATDESK_BENCH_RUNS` sets the number of starts (default 20).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn healthz(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut response = String::new();
    stream.write_all(request).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
}

/// VmRSS of a process in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Run {
    cold_start: Duration,
    idle_rss_kib: u64,
}

fn one_run() -> Run {
    let data = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatdesk"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // The banner may follow one-time lines (such as a first admin password).
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "chatdesk exited before listening"
        );
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
        }
    };
    while !healthz(&addr) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let cold_start = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss_kib = rss_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    Run {
        cold_start,
        idle_rss_kib,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let runs: usize = std::env::var("CHATDESK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let results: Vec<Run> = (0..runs).map(|_| one_run()).collect();
    let mut starts: Vec<Duration> = results.iter().map(|r| r.cold_start).collect();
    starts.sort();
    let max_rss = results.iter().map(|r| r.idle_rss_kib).max().unwrap_or(0);
    println!(
        "chatdesk startup over {runs} runs (fresh data directory each, sandbox and database included)"
    );
    println!(
        "cold start to /healthz: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (budget 300 ms)",
        percentile(&starts, 0.5).as_secs_f64() * 1e3,
        percentile(&starts, 0.95).as_secs_f64() * 1e3,
        starts.last().unwrap().as_secs_f64() * 1e3
    );
    println!(
        "idle RSS after 1 s: max {:.1} MB (budget 40 MB)",
        max_rss as f64 / 1024.0
    );
}
