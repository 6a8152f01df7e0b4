//! Progress of a long run on stderr: the stage, its count where it has one, the time
//! elapsed. Only the command line turns it on, only when stderr is a terminal, and it shows
//! only once the run has taken a second: short runs, piped output, CI logs and the
//! library's users never see it. The engine names its stages through [`stage`] and
//! [`advance`], which do nothing when it is off.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

/// Progress shows once a run has lasted this long.
const DELAY: Duration = Duration::from_secs(1);

static BAR: OnceLock<ProgressBar> = OnceLock::new();

fn style(counted: bool) -> ProgressStyle {
    let template = match counted {
        true => "{spinner} {msg}: {human_pos}/{human_len} ({elapsed})",
        false => "{spinner} {msg} ({elapsed})",
    };
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// Turns progress on for this process when stderr is a terminal; it appears after
/// [`DELAY`] unless [`finish`] came first.
pub fn enable() {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    bar.set_style(style(false));
    bar.set_message("starting");
    if BAR.set(bar.clone()).is_err() {
        return;
    }
    std::thread::spawn(move || {
        std::thread::sleep(DELAY);
        if !bar.is_finished() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    });
}

/// A new stage of the run: what it does and, when it counts something, how many.
pub fn stage(what: impl Into<String>, count: Option<u64>) {
    let Some(bar) = BAR.get().filter(|b| !b.is_finished()) else {
        return;
    };
    bar.set_message(what.into());
    match count {
        Some(n) => bar.set_length(n),
        None => bar.unset_length(),
    }
    bar.set_position(0);
    bar.set_style(style(count.is_some()));
}

/// `n` more of the current stage's count done.
pub fn advance(n: u64) {
    if let Some(bar) = BAR.get().filter(|b| !b.is_finished()) {
        bar.inc(n);
    }
}

/// Runs `f` (a write to stderr) with the progress line out of the way.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    match BAR.get().filter(|b| !b.is_finished()) {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// Standard error for the logs: each line written with the progress line out of its way.
pub struct Stderr;

impl std::io::Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        suspend(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Ends the progress and clears its line (before the run's own output).
pub fn finish() {
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
}
