use clap::Parser;

/// mimalloc: the matcher allocates and frees many small strings per camp; glibc's
/// allocator slows by a tenth once a long-running process has done so for a while.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = campdesk::cli::Cli::parse();
    if cli.command.as_ref().is_some_and(campdesk::cli::Command::prints_to_stdout) {
        // `campdesk … --json | head` should end quietly, like any Unix tool,
        // instead of panicking on a closed pipe. The daemon and the TUI keep
        // SIGPIPE ignored: a client closing its socket must never kill them.
        // SAFETY: restoring the default disposition of one signal before any
        // thread starts has no other effect.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    campdesk::commands::run(cli).into()
}
