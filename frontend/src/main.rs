fn main() {
    std::panic::set_hook(Box::new(frontend::app::on_panic));
    leptos::mount::mount_to_body(frontend::App);
}
