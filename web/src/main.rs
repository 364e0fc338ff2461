//! The back office SPA: Leptos, client-side rendered, talking only to the public REST API.

mod api;
mod app;
mod charts;
mod components;
mod money;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    components::label_table_cells();
}
