//! End-to-end tests that cross crate and process boundaries. The shared
//! fixtures live here; the tests are under `tests/`.

/// The password of every test store.
pub const PASSWORD: &str = "correct horse battery";
