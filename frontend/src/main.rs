// Smaller than the default allocator (dlmalloc) in the wasm; see
// BENCHMARKS.md (fourth pass).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    std::panic::set_hook(Box::new(frontend::app::on_panic));
    leptos::mount::mount_to_body(frontend::App);
}
