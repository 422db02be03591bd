//! `tsunagi`: the tablet app. With no subcommand it opens the window; the
//! subcommands script set-up and support (see the README).

fn main() -> std::process::ExitCode {
    tsunagi_app::cli::main()
}
