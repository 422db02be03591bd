//! `tsunagi-centre`: see the library's `cli` module.

fn main() -> std::process::ExitCode {
    tsunagi_centre::cli::main()
}
