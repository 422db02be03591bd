//! Compiles the companion's Slint UI (`ui/companion/main.slint`) into Rust,
//! with the same style and bundled translations as the tablet app
//! (app/build.rs explains the choices).

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_debug_info(true)
        .with_bundled_translations("../ui/i18n")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("../ui/companion/main.slint", config)
        .expect("the Slint UI in ui/companion/ compiles");
}
