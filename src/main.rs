use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = campdesk::cli::Cli::parse();
    campdesk::commands::run(cli).into()
}
