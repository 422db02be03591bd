//! Compiles the Slint UI (`ui/app/main.slint`) into Rust.

fn main() {
    // Debug info names the elements, which the accessibility lookups of the UI
    // tests (i-slint-backend-testing) need; it costs little in release.
    // The fluent style is chosen explicitly so that the app looks the same on
    // every platform (the default would follow the platform).
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_debug_info(true);
    slint_build::compile_with_config("../ui/app/main.slint", config)
        .expect("the Slint UI in ui/app/ compiles");
    // slint-build already reruns on changes to every imported .slint file and
    // font; nothing else feeds the UI.
}
