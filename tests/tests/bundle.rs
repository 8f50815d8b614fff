//! The size of the whole console, every area and the home page included
//! (wasm + js, brotli). The budget is 200 KB (react-admin's equivalent
//! measured 287 KB here for fewer pages); BENCHMARKS.md has how each
//! part got under it. The build writes the precompressed files this
//! reads (`chatdesk bundle`).

use e2e::dist_dir;

const BUDGET_BROTLI_BYTES: u64 = 200_000;

#[test]
fn wasm_and_js_stay_within_the_budget() {
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
        size <= BUDGET_BROTLI_BYTES,
        "wasm + js is {size} bytes brotli, over the budget of {BUDGET_BROTLI_BYTES}"
    );
}
