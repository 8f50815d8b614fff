//! The size of the whole console, every area included (wasm + js, brotli).
//! The design budget is 200 KB (react-admin's equivalent measured 287 KB
//! for fewer pages); the console is still over it (BENCHMARKS.md), so this
//! test holds it to its measured size: it can only shrink, and each cut
//! lowers `CEILING_BROTLI_BYTES` until it reaches the budget. The build
//! writes the precompressed files this reads (`chatdesk bundle`).

use e2e::dist_dir;

const BUDGET_BROTLI_BYTES: u64 = 200_000;
/// The measured size plus a little room for compressor noise. Raised from
/// 288,000 on 2026-12-02: the error contract, per-item outcomes, the groups
/// preview and one-entry audit pages added 13.6 KB to the old pages; the
/// pages-as-data rewrite (branch `console`) is what brings it down.
const CEILING_BROTLI_BYTES: u64 = 302_000;

#[test]
fn wasm_and_js_stay_within_the_recorded_ceiling() {
    let report = backend::bundle::measure(&dist_dir())
        .expect("dist/ lacks .br/.gz files: build with ./dev build, which runs `chatdesk bundle`");
    println!("{}", report.to_table());
    assert!(
        report.assets.iter().any(|a| a.name.ends_with(".wasm")),
        "no wasm in dist/"
    );
    let size = report.code.brotli;
    println!(
        "wasm + js: {size} bytes brotli; budget {BUDGET_BROTLI_BYTES} ({:+} bytes)",
        size as i64 - BUDGET_BROTLI_BYTES as i64
    );
    assert!(
        size <= CEILING_BROTLI_BYTES,
        "wasm + js is {size} bytes brotli, over the recorded ceiling of {CEILING_BROTLI_BYTES} \
         (budget {BUDGET_BROTLI_BYTES}): the console grew"
    );
}
