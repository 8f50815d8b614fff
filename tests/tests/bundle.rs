//! The shipped console stays within its size budget: wasm + js <= 200 KB
//! brotli (react-admin's equivalent measured 287 KB for fewer pages). The
//! feature-area pages are over it and do not ship yet (`--features areas`,
//! README); the budget is for the whole console once they do. The build
//! writes the precompressed files this reads (`chatdesk bundle`).

use e2e::dist_dir;

const BUDGET_BROTLI_BYTES: u64 = 200_000;

#[test]
fn wasm_and_js_fit_the_brotli_budget() {
    let report = backend::bundle::measure(&dist_dir())
        .expect("dist/ lacks .br/.gz files: build with ./dev build, which runs `chatdesk bundle`");
    println!("{}", report.to_table());
    assert!(
        report.assets.iter().any(|a| a.name.ends_with(".wasm")),
        "no wasm in dist/"
    );
    assert!(
        report.code.brotli <= BUDGET_BROTLI_BYTES,
        "wasm + js is {} bytes brotli, over the {BUDGET_BROTLI_BYTES} budget",
        report.code.brotli
    );
}
