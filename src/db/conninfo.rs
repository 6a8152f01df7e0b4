//! libpq's two connection string forms, read as libpq's conninfo parser reads them: the
//! URI (`postgresql://user:pw@host:port,host2/db?key=value`, percent-encoded) and
//! `key=value` pairs (spaces around `=` allowed, values single-quoted with `\'` and `\\`
//! escapes, or bare with `\` escapes). The byte range of each value in the original
//! string is kept, so that redaction blanks exactly the password whatever its spelling.

use std::ops::Range;

/// One parameter as written; when a key repeats, the last one counts (as in libpq).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub key: String,
    pub value: String,
    /// Where the value (with its quotes or percent-encoding) stands in the string.
    pub span: Range<usize>,
}

/// Why a string is not a connection string. Messages never quote a value: a malformed
/// string may hold a password in any position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown key \"{0}\"")]
    UnknownKey(String),
    #[error("missing \"=\" after key \"{0}\"")]
    MissingEquals(String),
    #[error(
        "text after the password value is not a key=value pair (quote a password with \
         spaces: password='a b')"
    )]
    AfterPassword,
    #[error("unterminated quoted value of \"{0}\"")]
    Unterminated(String),
    #[error("invalid percent-encoding in the {0}")]
    Percent(String),
    #[error("invalid URI: {0}")]
    Uri(String),
}

/// Every key the engine knows; [`super::params`] says which of them it cannot honour.
pub const KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "connect_timeout",
    "application_name",
    "fallback_application_name",
    "options",
    "client_encoding",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslnegotiation",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
    "gssencmode",
    // libpq keys the engine recognises only to refuse them by name.
    "service",
    "sslpassword",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslcompression",
    "sslcertmode",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "requirepeer",
    "require_auth",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "requiressl",
];

pub fn is_uri(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://")
}

/// Parses either form into its pairs, every key checked against [`KEYS`].
pub fn parse(s: &str) -> Result<Vec<Pair>, ParseError> {
    let pairs = if is_uri(s) {
        parse_uri(s)?
    } else {
        parse_key_values(s)?
    };
    match pairs.iter().find(|p| !KEYS.contains(&p.key.as_str())) {
        Some(p) => Err(ParseError::UnknownKey(p.key.clone())),
        None => Ok(pairs),
    }
}

fn parse_key_values(s: &str) -> Result<Vec<Pair>, ParseError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Vec<Pair> = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            return Ok(out);
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = s[start..i].to_string();
        skip_ws(&mut i);
        if i >= b.len() || b[i] != b'=' {
            // A bare word right after an unquoted password is most likely the rest of
            // the password: never echo it.
            if out.last().is_some_and(|p| p.key == "password") {
                return Err(ParseError::AfterPassword);
            }
            return Err(ParseError::MissingEquals(key));
        }
        i += 1;
        skip_ws(&mut i);
        let vstart = i;
        let mut value = Vec::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(ParseError::Unterminated(key)),
                    Some(b'\\') if i + 1 < b.len() => {
                        value.push(b[i + 1]);
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                value.push(b[i]);
                i += 1;
            }
        }
        out.push(Pair {
            key,
            // Escapes only drop ASCII backslashes, so the bytes stay UTF-8.
            value: String::from_utf8_lossy(&value).into_owned(),
            span: vstart..i,
        });
    }
}

/// `%XX` decoding as libpq does it (no `+` for space; `%00` refused).
fn decode(s: &str, what: &str) -> Result<String, ParseError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).filter(|h| h.len() == 2);
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(0) | None => return Err(ParseError::Percent(what.to_string())),
                Some(v) => out.push(v),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ParseError::Percent(what.to_string()))
}

fn parse_uri(s: &str) -> Result<Vec<Pair>, ParseError> {
    let scheme = if s.starts_with("postgresql://") {
        "postgresql://".len()
    } else {
        "postgres://".len()
    };
    let mut out = Vec::new();
    let mut i = scheme;
    // User information ends at the first '@' before any '/' (libpq's rule).
    let netloc_end = s[i..].find('/').map_or(s.len(), |p| i + p);
    if let Some(at) = s[i..netloc_end].find('@').map(|p| i + p) {
        let info = &s[i..at];
        let (user, password) = match info.find(':') {
            Some(c) => (&info[..c], Some((i + c + 1, &info[c + 1..]))),
            None => (info, None),
        };
        if !user.is_empty() {
            out.push(Pair {
                key: "user".into(),
                value: decode(user, "user name")?,
                span: i..i + user.len(),
            });
        }
        if let Some((start, pw)) = password {
            out.push(Pair {
                key: "password".into(),
                value: decode(pw, "password")?,
                span: start..start + pw.len(),
            });
        }
        i = at + 1;
    }
    // Hosts and ports: host[:port][,host[:port]]… up to '/' or '?'.
    let hosts_end = s[i..].find(['/', '?']).map_or(s.len(), |p| i + p);
    let (mut hosts, mut ports) = (Vec::new(), Vec::new());
    let hosts_start = i;
    if hosts_end > i {
        for part in s[i..hosts_end].split(',') {
            let (host, port) = if let Some(rest) = part.strip_prefix('[') {
                let close = rest
                    .find(']')
                    .ok_or_else(|| ParseError::Uri("IPv6 host address without \"]\"".into()))?;
                let after = &rest[close + 1..];
                let port = match after {
                    "" => "",
                    p => p
                        .strip_prefix(':')
                        .ok_or_else(|| ParseError::Uri("text after an IPv6 host address".into()))?,
                };
                (&rest[..close], port)
            } else {
                match part.find(':') {
                    Some(c) => (&part[..c], &part[c + 1..]),
                    None => (part, ""),
                }
            };
            hosts.push(decode(host, "host")?);
            ports.push(decode(port, "port")?);
        }
    }
    if hosts.iter().any(|h| !h.is_empty()) {
        out.push(Pair {
            key: "host".into(),
            value: hosts.join(","),
            span: hosts_start..hosts_end,
        });
    }
    if ports.iter().any(|p| !p.is_empty()) {
        out.push(Pair {
            key: "port".into(),
            value: ports.join(","),
            span: hosts_start..hosts_end,
        });
    }
    i = hosts_end;
    if s[i..].starts_with('/') {
        i += 1;
        let end = s[i..].find('?').map_or(s.len(), |p| i + p);
        if end > i {
            out.push(Pair {
                key: "dbname".into(),
                value: decode(&s[i..end], "database name")?,
                span: i..end,
            });
        }
        i = end;
    }
    if s[i..].starts_with('?') {
        i += 1;
        for part in s[i..].split('&') {
            let start = i;
            i += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            let Some(eq) = part.find('=') else {
                return Err(ParseError::MissingEquals(decode(part, "query parameter")?));
            };
            let key = decode(&part[..eq], "query parameter")?;
            let value = decode(&part[eq + 1..], &format!("value of \"{key}\""))?;
            // libpq accepts the JDBC spelling.
            let (key, value) = if key == "ssl" && value == "true" {
                ("sslmode".to_string(), "require".to_string())
            } else {
                (key, value)
            };
            out.push(Pair {
                key,
                value,
                span: start + eq + 1..start + part.len(),
            });
        }
    }
    Ok(out)
}

/// The string with every password (and the value of any unknown key) blanked, or a placeholder when it does not parse (the
/// password could then be anywhere).
pub fn redact(s: &str) -> String {
    let Ok(pairs) = (if is_uri(s) {
        parse_uri(s)
    } else {
        parse_key_values(s)
    }) else {
        return "(connection string not shown: it does not parse)".into();
    };
    let mut spans: Vec<Range<usize>> = pairs
        .into_iter()
        // A misspelt key may well be a misspelt "password".
        .filter(|p| p.key == "password" || !KEYS.contains(&p.key.as_str()))
        .map(|p| p.span)
        .collect();
    spans.sort_by_key(|r| std::cmp::Reverse(r.start));
    let mut out = s.to_string();
    for r in spans {
        out.replace_range(r, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(s: &str) -> Vec<(String, String)> {
        parse(s)
            .unwrap()
            .into_iter()
            .map(|p| (p.key, p.value))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn key_values_take_quotes_escapes_and_spaces_around_equals() {
        assert_eq!(
            kv(r"host = /tmp  user=u password='a b\'c\\' dbname=d\ x"),
            pairs(&[
                ("host", "/tmp"),
                ("user", "u"),
                ("password", r"a b'c\"),
                ("dbname", "d x"),
            ])
        );
        assert_eq!(kv("host=''"), pairs(&[("host", "")]));
        assert_eq!(kv("   "), pairs(&[]));
    }

    #[test]
    fn uris_are_percent_decoded_with_hosts_ports_and_parameters() {
        assert_eq!(
            kv("postgresql://us%40r:p%3Aw@h1:5433,[::1]:5434/my%20db?sslmode=verify-ca&ssl=true"),
            pairs(&[
                ("user", "us@r"),
                ("password", "p:w"),
                ("host", "h1,::1"),
                ("port", "5433,5434"),
                ("dbname", "my db"),
                ("sslmode", "verify-ca"),
                ("sslmode", "require"),
            ])
        );
        assert_eq!(kv("postgresql:///db"), pairs(&[("dbname", "db")]));
        assert_eq!(
            kv("postgres://%2Fvar%2Frun%2Fpostgresql/db"),
            pairs(&[("host", "/var/run/postgresql"), ("dbname", "db")])
        );
        assert_eq!(
            kv("postgres://?host=/tmp&port=5432"),
            pairs(&[("host", "/tmp"), ("port", "5432")])
        );
    }

    #[test]
    fn bad_strings_name_the_key_and_never_the_value() {
        let e = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(e("host=h pasword=x"), "unknown key \"pasword\"");
        assert_eq!(e("postgres://h/d?sslmod=x"), "unknown key \"sslmod\"");
        assert_eq!(e("host=h dbname"), "missing \"=\" after key \"dbname\"");
        assert_eq!(e("host='h"), "unterminated quoted value of \"host\"");
        let after = e("password=sec ret host=h");
        assert!(!after.contains("ret"), "{after}");
        assert_eq!(
            e("postgres://u:se%zzcret@h/d"),
            "invalid percent-encoding in the password"
        );
        assert_eq!(
            e("postgres://h/d?%00=1"),
            "invalid percent-encoding in the query parameter"
        );
    }

    #[test]
    fn redaction_blanks_every_spelling_of_a_password() {
        let cases = [
            (
                "postgres://app:s3cret@db.example:5432/profe?sslmode=require",
                "postgres://app:***@db.example:5432/profe?sslmode=require",
            ),
            (
                "postgresql://u:p%40ss@h/d?password=x%20y&sslmode=disable",
                "postgresql://u:***@h/d?password=***&sslmode=disable",
            ),
            (
                "host=/tmp user=u password=secret dbname=d",
                "host=/tmp user=u password=*** dbname=d",
            ),
            ("password = x host=h", "password = *** host=h"),
            ("host=h password='a b' user=u", "host=h password=*** user=u"),
            (r"password='it\'s' user=u", "password=*** user=u"),
            ("postgres://h/d", "postgres://h/d"),
            ("host=h pasword=x", "host=h pasword=***"),
        ];
        for (given, want) in cases {
            assert_eq!(redact(given), want, "{given}");
        }
        // Unparseable: nothing of it is shown.
        for bad in ["password='a b", "postgres://u:pw%zz@h/d"] {
            assert_eq!(
                redact(bad),
                "(connection string not shown: it does not parse)"
            );
        }
    }
}
