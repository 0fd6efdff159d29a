//! `cargo xtask`: the engine's command line (run, bench, dump) and the project's checks.

mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The tiered JIT engine's command line.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a program (`.tiny`; `.py`/`.pyc` when the Python frontend lands) through the engine.
    Run(run::RunArgs),
    /// Check that jit-core links into a `#![no_std]` `#![no_main]` binary with `panic = "abort"`.
    CheckNostd,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help/--version and 2 for usage errors, as we do.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let status = match cli.command {
        Command::Run(args) => run::main(&args),
        Command::CheckNostd => run::check_nostd(),
    };
    ExitCode::from(status as u8)
}
