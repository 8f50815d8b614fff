//! Chat configurations: `cargo bench -p backend --bench chat_configs`.
//!
//! 1. List latency across ten regions, which are asked in parallel: one
//!    region, ten regions, and what ten sequential calls would cost, with
//!    the sandbox answering each List after a simulated network delay.
//! 2. The whole backend's overhead on a read: `chatdesk serve` runs as its
//!    own process (built-in sandbox, SQLite); this process is the load
//!    generator. 200 concurrent clients GET one configuration through
//!    chatdesk's API (session lookup, permission check, signing, the
//!    upstream call, the labels/secrets/history reads) and, alternating,
//!    send the same GetChatConfiguration straight to the sandbox (signed by
//!    the same client code). p50 and p99 of both and the difference, and
//!    the calls/s and CPU per call of each process, which explain it;
//!    first in a closed loop (each client calls again as soon as it has
//!    its answer, which saturates this machine's two cores), then paced at
//!    1,000 calls/s in all (each client once every 200 ms).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::chat_configs::service::{Account, list};
use backend::db::Backend;
use backend::sandbox::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, Fault, Sandbox, SandboxConfig};
use backend::testing::TestDb;
use backend::upstream::acs::{AcsCredentials, SignatureKind};
use backend::upstream::http::Endpoints;
use backend::upstream::ratelimit::Rate;
use backend::upstream::retry::RetryPolicy;
use backend::upstream::{Upstream, UpstreamSettings};
use serde_json::{Value, json};
use shared::chat_configs::{ConfigName, ListParams, RegionId};

const CONCURRENCY: usize = 200;
const CALLS_PER_TASK: usize = 25;
const ROUNDS: usize = 3;
/// The paced run: each client calls once per interval (200 clients at
/// 200 ms: 1,000 calls/s, well below what this machine saturates at).
const PACED_INTERVAL: Duration = Duration::from_millis(200);
const PASSWORD: &str = "bench password 2026";
const REGIONS: [&str; 10] = backend::sandbox::TEN_REGIONS;

fn demo_key() -> AcsCredentials {
    AcsCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
        signature: SignatureKind::V3,
    }
}

/// The clients without the per-AccessKey politeness limit (10 QPS), which
/// would otherwise be what is measured, and without retries.
fn unthrottled(base_url: &str) -> Arc<Upstream> {
    let mut settings = UpstreamSettings::new(Endpoints::single(base_url));
    settings.acs_rate = Rate {
        per_second: 1e9,
        burst: u32::MAX,
    };
    settings.retry = RetryPolicy::NONE;
    Arc::new(Upstream::new(settings))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn list_latency() {
    let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxConfig::demo())
        .await
        .unwrap();
    let up = unthrottled(&sandbox.base_url());
    let t = TestDb::fresh(Backend::Sqlite).await;
    let account = |regions: &[&str]| Account {
        id: "bench".into(),
        name: "bench".into(),
        regions: regions
            .iter()
            .map(|r| RegionId::parse(r).unwrap())
            .collect(),
        acs: demo_key(),
    };
    for delay_ms in [0u64, 50] {
        if delay_ms > 0 {
            sandbox.faults().set(
                "ListChatConfigurations",
                Fault::latency(Duration::from_millis(delay_ms)),
            );
        }
        let mut timings = Vec::new();
        for regions in [&REGIONS[..1], &REGIONS[..]] {
            let accounts = [account(regions)];
            let mut runs: Vec<Duration> = Vec::new();
            for _ in 0..20 {
                let start = Instant::now();
                let listed = list(&t.db, &up, &accounts, &ListParams::default())
                    .await
                    .unwrap();
                runs.push(start.elapsed());
                assert_eq!(listed.regions.len(), regions.len());
            }
            runs.sort();
            timings.push(percentile(&runs, 0.5));
        }
        println!(
            "list, sandbox List delay {delay_ms} ms: 1 region {:.2} ms, 10 regions in parallel \
             {:.2} ms (10 sequential would be ~{:.1} ms)",
            ms(timings[0]),
            ms(timings[1]),
            ms(timings[0]) * 10.0
        );
    }
}

/// `chatdesk serve` in its own process, with its sandbox URL.
struct Served {
    child: Child,
    addr: String,
    sandbox_url: String,
    _data: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatdesk"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .env("CHATDESK_ADMIN_PASSWORD", PASSWORD)
        .env("CHATDESK_UPSTREAM__ACS_QPS", "1000000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Logs (stderr) carry the sandbox URL; keep draining them so the
    // server never blocks on a full pipe.
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Ok(log) = serde_json::from_str::<Value>(&line)
                && let Some(url) = log["fields"]["url"].as_str()
                && log["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("sandbox"))
            {
                let _ = url_tx.send(url.to_owned());
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "chatdesk exited");
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in stdout.lines() {});
    let sandbox_url = url_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the sandbox URL in the log");
    Served {
        child,
        addr,
        sandbox_url,
        _data: data,
    }
}

/// Signs in as admin; returns the session cookie, the CSRF token and the
/// id of an Alibaba Cloud account holding the sandbox's demo key.
async fn session(http: &reqwest::Client, base: &str) -> (String, String, String) {
    let origin = base.to_owned();
    let signed = http
        .post(format!("{base}/api/v1/session"))
        .header("origin", &origin)
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(signed.status().is_success(), "{}", signed.status());
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = signed.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = json!({
        "name": "bench account",
        "access_key_id": DEMO_ACCESS_KEY_ID,
        "access_key_secret": DEMO_ACCESS_KEY_SECRET,
        "regions": ["cn-hangzhou"],
    });
    let created = http
        .post(format!("{base}/api/v1/credentials/alibaba"))
        .header("origin", &origin)
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&account)
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (cookie, csrf, id)
}

/// How the clients call: as fast as answers come, or paced.
#[derive(Clone, Copy)]
enum Load {
    /// Each client calls again as soon as it has its answer.
    ClosedLoop,
    /// Each client calls once every `PACED_INTERVAL`, staggered so the
    /// load is even: the latency a client sees when the server is not
    /// saturated.
    Paced,
}

/// `CONCURRENCY` clients of `CALLS_PER_TASK` sequential calls each; every
/// call's latency.
async fn measure<F, Fut>(load: Load, call: F) -> Vec<Duration>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CONCURRENCY {
        let call = call.clone();
        let offset = PACED_INTERVAL * i as u32 / CONCURRENCY as u32;
        tasks.spawn(async move {
            let mut tick =
                tokio::time::interval_at(tokio::time::Instant::now() + offset, PACED_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut latencies = Vec::with_capacity(CALLS_PER_TASK);
            for _ in 0..CALLS_PER_TASK {
                if let Load::Paced = load {
                    tick.tick().await;
                }
                let start = Instant::now();
                call().await;
                latencies.push(start.elapsed());
            }
            latencies
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.unwrap());
    }
    all
}

fn report(mode: &str, straight: &mut [Duration], via: &mut [Duration]) {
    via.sort();
    straight.sort();
    for (label, p) in [("p50", 0.5), ("p99", 0.99)] {
        let (a, b) = (percentile(straight, p), percentile(via, p));
        println!(
            "GET one configuration, {CONCURRENCY} concurrent clients, {mode}, {} calls each way, \
             {label}: straight to the sandbox {:.2} ms, through chatdesk {:.2} ms, added {:+.2} ms",
            via.len(),
            ms(a),
            ms(b),
            ms(b) - ms(a)
        );
    }
}

async fn read_overhead() {
    let served = serve();
    let base = format!("http://{}", served.addr);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let (cookie, _csrf, account) = session(&http, &base).await;
    let name = ConfigName::parse("chatops-dingtalk").unwrap();
    let region = RegionId::parse("cn-hangzhou").unwrap();
    let url = format!("{base}/api/v1/chat-configs/{account}/{region}/{name}");

    let through_chatdesk = {
        let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
        move || {
            let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
            async move {
                let reply = http
                    .get(&url)
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                assert!(reply.status().is_success(), "{}", reply.status());
                let body: Value = reply.json().await.unwrap();
                assert_eq!(body["config"]["summary"]["name"], "chatops-dingtalk");
            }
        }
    };
    let up = unthrottled(&served.sandbox_url);
    let direct = {
        let (up, region, name) = (up.clone(), region.clone(), name.clone());
        move || {
            let (up, region, name) = (up.clone(), region.clone(), name.clone());
            async move {
                let got = up.oos.get(&demo_key(), &region, &name).await.unwrap();
                assert_eq!(got.summary.name.as_str(), "chatops-dingtalk");
            }
        }
    };
    // Warm-up: connections, the session cache, the server's pools.
    measure(Load::ClosedLoop, through_chatdesk.clone()).await;
    measure(Load::ClosedLoop, direct.clone()).await;
    let (mut via, mut straight) = (Vec::new(), Vec::new());
    let pids = ["self".to_owned(), served.child.id().to_string()];
    let mut spent = [Spent::default(), Spent::default()];
    for _ in 0..ROUNDS {
        let start = Mark::now(&pids);
        via.extend(measure(Load::ClosedLoop, through_chatdesk.clone()).await);
        let middle = Mark::now(&pids);
        straight.extend(measure(Load::ClosedLoop, direct.clone()).await);
        let end = Mark::now(&pids);
        spent[0].add(&start, &middle);
        spent[1].add(&middle, &end);
    }
    report("closed loop (saturating)", &mut straight, &mut via);
    // In a closed loop every client waits its turn for the CPUs, so
    // latency is about CONCURRENCY × CPU per call / cores: this is where
    // the difference comes from.
    let per_call = |d: Duration, calls: usize| d.as_secs_f64() * 1e6 / calls as f64;
    for (label, spent, calls) in [
        ("through chatdesk", &spent[0], via.len()),
        ("straight to the sandbox", &spent[1], straight.len()),
    ] {
        println!(
            "{label}: {:.0} calls/s, CPU per call: chatdesk process (server and sandbox) \
             {:.0} µs, load generator {:.0} µs",
            calls as f64 / spent.wall.as_secs_f64(),
            per_call(spent.cpu[1], calls),
            per_call(spent.cpu[0], calls),
        );
    }
    // Paced: the same two calls at 1,000 calls/s in all, alternating
    // rounds; the difference is chatdesk's own work per call.
    let (mut via, mut straight) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        via.extend(measure(Load::Paced, through_chatdesk.clone()).await);
        straight.extend(measure(Load::Paced, direct.clone()).await);
    }
    report("paced at 1,000 calls/s", &mut straight, &mut via);
}

/// Wall-clock and CPU time (user + system) of the load generator and of
/// chatdesk, between two instants.
#[derive(Default)]
struct Spent {
    wall: Duration,
    cpu: [Duration; 2],
}

/// A point in time, with the CPU time each process had used by then.
struct Mark {
    at: Instant,
    cpu: [Duration; 2],
}

impl Mark {
    fn now(pids: &[String; 2]) -> Mark {
        Mark {
            at: Instant::now(),
            cpu: [cpu_time(&pids[0]), cpu_time(&pids[1])],
        }
    }
}

impl Spent {
    fn add(&mut self, from: &Mark, to: &Mark) {
        self.wall += to.at - from.at;
        for i in 0..2 {
            self.cpu[i] += to.cpu[i].saturating_sub(from.cpu[i]);
        }
    }
}

/// CPU time a process has used, from `/proc/PID/stat` (utime and stime, the
/// 14th and 15th fields, in clock ticks of 10 ms on Linux).
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) may hold spaces; count from after it.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `cargo bench --bench chat_configs [-- list|read]`: one part or both.
fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|a| a == part);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!("load average before: {}", load_average());
    if wanted("list") {
        runtime.block_on(list_latency());
    }
    if wanted("read") {
        runtime.block_on(read_overhead());
    }
    println!("load average after: {}", load_average());
}
