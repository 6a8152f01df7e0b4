use profe_migrate::cli::run;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    profe_migrate::cli::logging::init();
    let cli = match profe_migrate::cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 64 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.shows_progress() {
        profe_migrate::progress::enable();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli));
    profe_migrate::progress::finish();
    log_peak_memory();
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            let code = e.exit_code();
            // Not eprintln!, which panics when stderr is closed.
            let _ = writeln!(
                std::io::stderr(),
                "error: {}",
                profe_migrate::error::report(&e)
            );
            ExitCode::from(code)
        }
    }
}

/// The process's peak resident memory (Linux' VmHWM), at debug level: how the benchmark
/// measures `plan` (a parent's rusage would count the memory of the process it forked
/// from).
fn log_peak_memory() {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        });
    if let Some(peak) = peak {
        tracing::debug!("peak resident memory: {peak}");
    }
}
