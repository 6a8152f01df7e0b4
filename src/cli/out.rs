//! Standard output that a closed pipe ends quietly (`profe-migrate inspect | head -1`).
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe fails with EPIPE, on which `print!`
//! panics. Restoring SIGPIPE's default instead would kill the process at its next write,
//! which for `apply` may be between two steps, its history row left `running`. So every
//! write goes through [`print`]: a reader that went away ends the output, not the
//! command, which finishes its work and exits as it would have.

use crate::error::{Error, Result};
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write found no reader: later output is dropped without trying.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output, flushed (so that a failure is known here, not lost
/// at exit). Another failure than a closed pipe (a full disk) is an error.
pub fn print(text: &str) -> Result<()> {
    // The run's output ends its progress line (on a terminal's stderr).
    crate::progress::finish();
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(source) => Err(Error::Write {
            path: "standard output".into(),
            source,
        }),
    }
}

/// `println!` through [`print`], returning its result.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::print(&format!("{}\n", format_args!($($arg)*)))
    };
}
