//! The password file (`passfile`, `PGPASSFILE`, `~/.pgpass`) read as libpq reads it:
//! lines `host:port:database:user:password`, `*` matching anything in the first four
//! fields, `\` escaping `:` and `\`, `#` starting a comment line, the first matching line
//! winning. A file that the group or others can read is ignored with a warning, as libpq
//! does, and so is one that is not a plain file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What one connection attempt looks up.
#[derive(Debug, Clone, PartialEq)]
pub struct Query<'a> {
    /// The host as given: a name, an address, a socket directory, or empty.
    pub host: &'a str,
    pub port: &'a str,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The socket directories libpq would use by default: a connection through them (or
/// with no host at all) matches `localhost` lines.
pub const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/run/postgresql", "/tmp"];

/// The password the file gives for `q`, if the file is usable and a line matches.
pub fn lookup(path: &Path, q: &Query) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        warn_once(path, "is not a plain file");
        return None;
    }
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        warn_once(
            path,
            "has group or world access; permissions should be u=rw (0600) or less",
        );
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    find(&text, q)
}

/// libpq's host for matching: no host, or a default socket directory, is `localhost`.
fn match_host(host: &str) -> &str {
    if host.is_empty() || DEFAULT_SOCKET_DIRS.contains(&host.trim_end_matches('/')) {
        "localhost"
    } else {
        host
    }
}

pub fn find(text: &str, q: &Query) -> Option<String> {
    let port = if q.port.is_empty() { "5432" } else { q.port };
    let wanted = [match_host(q.host), port, q.dbname, q.user];
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let mut rest = line;
            for w in wanted {
                rest = field_matches(rest, w)?;
            }
            Some(unescape_password(rest))
        })
}

/// Matches one field at the start of `line` against `token`; returns what follows its
/// `:`. A field that is exactly `*` matches anything.
fn field_matches<'a>(line: &'a str, token: &str) -> Option<&'a str> {
    if let Some(rest) = line.strip_prefix("*:") {
        return Some(rest);
    }
    let mut field = String::new();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e)) => field.push(e),
                None => return None,
            },
            ':' => return (field == token).then(|| &line[i + 1..]),
            c => field.push(c),
        }
    }
    None
}

/// The password is the rest of the line up to an unescaped `:`, backslashes removed.
fn unescape_password(rest: &str) -> String {
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) => out.push(e),
                None => out.push('\\'),
            },
            ':' => break,
            c => out.push(c),
        }
    }
    out
}

/// libpq warns on every connection; a command connects many times, so once per file.
fn warn_once(path: &Path, what: &str) {
    static WARNED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let first = WARNED
        .lock()
        .map(|mut w| w.insert(path.to_path_buf()))
        .unwrap_or(true);
    if first {
        eprintln!("warning: password file \"{}\" {what}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q<'a>(host: &'a str, port: &'a str, dbname: &'a str, user: &'a str) -> Query<'a> {
        Query {
            host,
            port,
            dbname,
            user,
        }
    }

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let file = "# comment\n\
                    db.example:5432:app:alice:first\n\
                    *:*:app:alice:second\n\
                    *:*:*:*:fallback\n\
                    h\\:x:5432:d:u:esc\\:aped\\\\pw:ignored\n";
        assert_eq!(
            find(file, &q("db.example", "5432", "app", "alice")).as_deref(),
            Some("first")
        );
        assert_eq!(
            find(file, &q("other", "6000", "app", "alice")).as_deref(),
            Some("second")
        );
        assert_eq!(
            find(file, &q("db.example", "5433", "x", "bob")).as_deref(),
            Some("fallback")
        );
        let escaped = "h\\:x:5432:d:u:esc\\:aped\\\\pw:ignored\n";
        assert_eq!(
            find(escaped, &q("h:x", "", "d", "u")).as_deref(),
            Some("esc:aped\\pw")
        );
        assert_eq!(find("a:1:d:u:pw", &q("a", "2", "d", "u")), None);
        // Too few fields never match.
        assert_eq!(find("a:5432:d", &q("a", "5432", "d", "u")), None);
    }

    #[test]
    fn unix_sockets_match_localhost_only_from_a_default_directory() {
        let file = "localhost:5432:d:u:local\n/srv/sock:5432:d:u:literal\n";
        assert_eq!(find(file, &q("", "", "d", "u")).as_deref(), Some("local"));
        assert_eq!(
            find(file, &q("/var/run/postgresql", "5432", "d", "u")).as_deref(),
            Some("local")
        );
        assert_eq!(
            find(file, &q("/srv/sock", "5432", "d", "u")).as_deref(),
            Some("literal")
        );
        assert_eq!(
            find("localhost:5432:d:u:x\n", &q("/srv/sock", "5432", "d", "u")),
            None
        );
    }

    #[test]
    fn a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        let query = q("h", "5432", "d", "u");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(lookup(&path, &query), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&path, &query).as_deref(), Some("pw"));
        assert_eq!(lookup(dir.path(), &query), None);
        assert_eq!(lookup(&dir.path().join("missing"), &query), None);
    }
}
