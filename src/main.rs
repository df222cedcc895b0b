use clap::Parser;
use policy_diff::cli::{Cli, EXIT_TROUBLE, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("policy-diff: error: {e:#}");
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
