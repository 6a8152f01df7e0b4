//! `profe-migrate server status` and `server stop`: every warm server under the cache
//! directory (one per major version), whatever binaries are installed now.

use super::{IN_USE, KEEPER, LOCK, Place, cache_root};
use crate::error::Result;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// What `server status` prints: for each warm server, whether it runs, its pid, major
/// version, data directory, socket, keeper and how long before it stops.
pub async fn status() -> Result<String> {
    let root = cache_root()?;
    let places = Place::all(&root);
    if places.is_empty() {
        return Ok(format!(
            "no warm server: none was started under {}\n",
            root.display()
        ));
    }
    let mut text = String::new();
    for place in places {
        let _ = match place.postmaster() {
            Some(p) => writeln!(
                text,
                "PostgreSQL {} warm server: running\n  pid: {}\n  major: {}",
                place.major, p.pid, place.major
            ),
            None => writeln!(
                text,
                "PostgreSQL {} warm server: not running\n  major: {}",
                place.major, place.major
            ),
        };
        let _ = writeln!(text, "  data directory: {}", place.data.display());
        let (states, bytes) = super::templates::States::new(&place.folder).summary();
        let _ = writeln!(
            text,
            "  kept reads (desired states, databases, replay verdicts): {states} ({})",
            crate::backup::space::human(bytes)
        );
        let Some(running) = place.postmaster() else {
            continue;
        };
        let _ = match super::templates::summary(&Place::connection_string(&running)).await {
            Ok((count, bytes)) => writeln!(
                text,
                "  kept copies (template databases): {count} ({})",
                crate::backup::space::human(bytes)
            ),
            Err(e) => writeln!(text, "  kept copies (template databases): unknown ({e})"),
        };
        let _ = writeln!(
            text,
            "  socket: {} (connect with: psql \"{}\")",
            running.socket_dir.display(),
            Place::connection_string(&running)
        );
        let _ = match place.keeper() {
            Some(pid) => writeln!(text, "  keeper: pid {pid}"),
            None => writeln!(text, "  keeper: none (the next run starts one)"),
        };
        let in_use = place.held(IN_USE).unwrap_or(false);
        let _ = match place.last_used() {
            _ if in_use => writeln!(text, "  idle: no, a run is using it"),
            Some((age, idle)) => writeln!(
                text,
                "  idle: {} (it stops after {} idle: in {})",
                human(age),
                human(idle),
                human(idle.saturating_sub(age))
            ),
            None => writeln!(text, "  idle: unknown (no last-used file)"),
        };
    }
    Ok(text)
}

/// What `server stop` does: stops every warm server and its keeper (a run using one
/// fails); says what it stopped.
pub fn stop() -> Result<String> {
    let root = cache_root()?;
    let mut text = String::new();
    let mut stopped = 0;
    for place in Place::all(&root) {
        let _lock = place.lock(LOCK)?;
        stop_keeper(&place);
        if let Some(pid) = place.stop_server() {
            stopped += 1;
            let _ = writeln!(
                text,
                "stopped the PostgreSQL {} warm server (pid {pid})",
                place.major
            );
        }
    }
    if stopped == 0 {
        let _ = writeln!(text, "no warm server was running under {}", root.display());
    }
    Ok(text)
}

/// Ends the keeper, if one is alive, and waits (5 s at most) until its lock is free.
fn stop_keeper(place: &Place) {
    let Some(pid) = place.keeper() else {
        return;
    };
    let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while place.held(KEEPER).unwrap_or(false) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A duration for a person: `9min 58s`, `3s`, `250ms`.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}min"),
        (0, m, s) => format!("{m}min {s}s"),
        (h, m, _) => format!("{h}h {m}min"),
    }
}

#[cfg(test)]
mod tests {
    use super::human;
    use std::time::Duration;

    #[test]
    fn durations_read_as_a_person_writes_them() {
        let cases = [
            (Duration::from_millis(250), "250ms"),
            (Duration::from_secs(3), "3s"),
            (Duration::from_secs(600), "10min"),
            (Duration::from_secs(598), "9min 58s"),
            (Duration::from_secs(7500), "2h 5min"),
        ];
        for (d, want) in cases {
            assert_eq!(human(d), want);
        }
    }
}
