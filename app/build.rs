//! Compiles the Slint UI (`ui/app/main.slint`) into Rust, with the English
//! translation (`ui/i18n/en/LC_MESSAGES/tsunagi.po`) bundled in.

fn main() {
    // Debug info names the elements, which the accessibility lookups of the UI
    // tests (i-slint-backend-testing) need; it costs little in release.
    // The fluent style is chosen explicitly so that the app looks the same on
    // every platform (the default would follow the platform).
    // Translations: Japanese is the source text; `ui/i18n/<lang>/LC_MESSAGES/
    // tsunagi.po` are bundled and chosen at run time (settings.rs). Strings
    // carry no per-component context, so one Japanese string has one
    // translation wherever it appears (ui/i18n/extract.py writes the .pot).
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_debug_info(true)
        .with_bundled_translations("../ui/i18n")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("../ui/app/main.slint", config)
        .expect("the Slint UI in ui/app/ compiles");
    // slint-build already reruns on changes to every imported .slint file,
    // font and bundled .po file; nothing else feeds the UI.
}
