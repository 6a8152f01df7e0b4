//! The independent check: `pg_dump --schema-only` of the databases a validated plan
//! involves, compared entry by entry, so that an attribute the engine's own catalog
//! queries never read is a loud error rather than a quiet "no changes".
//!
//! Four dumps take part: the live database (L), the copy of it that the replay starts
//! from, built from the engine's catalog (C), that copy once the plan is replayed (R), and
//! the desired state (D). An entry the copy lost (L ≠ C) is something the engine does not
//! manage: what the database will hold after the plan is predicted as R with L's extra
//! lines, and must still equal D. Any other entry must be the same in R and D.
//!
//! Owners and privileges are left out (`--no-owner --no-privileges`): they name roles, which
//! differ between the shadow server and the database by design, and the catalog compares
//! them itself.

use crate::catalog::{Exclusions, QualName, quote_ident};
use crate::db;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One database's dump: each entry's normalised lines, keyed by pg_dump's header
/// (`TYPE schema name`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dump {
    // Kept by the warm server with the desired state it was taken of.
    #[serde(with = "crate::catalog::pairs")]
    entries: BTreeMap<Key, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
struct Key {
    schema: String,
    kind: String,
    name: String,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.schema == "-" {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {} (schema {})", self.kind, self.name, self.schema)
        }
    }
}

/// Entry types whose storage pg_dump gives by `SET default_tablespace` (and, for tables,
/// `SET default_table_access_method`) before the entry rather than inside it.
const STORED: [&str; 4] = ["TABLE", "INDEX", "MATERIALIZED VIEW", "CONSTRAINT"];

impl Dump {
    /// Parses pg_dump's plain output. Blank and comment lines and the preamble's settings
    /// are left out; a tablespace or access method set for an entry becomes one of its
    /// lines; a table's lines (columns, constraints, per-column settings) are compared as a
    /// set, since the engine adds columns at the end where the files may put them first.
    pub fn parse(text: &str) -> Dump {
        let mut entries = BTreeMap::new();
        let mut current: Option<(Key, Vec<String>)> = None;
        let (mut tablespace, mut access_method) = (String::new(), "heap".to_string());
        for line in text.lines() {
            if let Some(header) = line.strip_prefix("-- Name: ") {
                if let Some((key, lines)) = current.take() {
                    entries.insert(key, lines);
                }
                let key = parse_header(header);
                let mut lines = Vec::new();
                if STORED.contains(&key.kind.as_str()) {
                    if !tablespace.is_empty() {
                        lines.push(format!("(tablespace {tablespace})"));
                    }
                    if access_method != "heap" && key.kind != "INDEX" && key.kind != "CONSTRAINT" {
                        lines.push(format!("(access method {access_method})"));
                    }
                }
                current = Some((key, lines));
                continue;
            }
            if let Some(v) = line.strip_prefix("SET default_tablespace = ") {
                tablespace = setting(v);
                continue;
            }
            if let Some(v) = line.strip_prefix("SET default_table_access_method = ") {
                access_method = setting(v);
                continue;
            }
            if line.is_empty()
                || line.starts_with("--")
                || line.starts_with('\\')
                || (current.is_none()
                    && (line.starts_with("SET ") || line.starts_with("SELECT pg_catalog.")))
            {
                continue;
            }
            if let Some((key, lines)) = current.as_mut() {
                let line = sort_storage_parameters(line);
                if key.kind == "TABLE" {
                    lines.push(line.trim_end_matches(',').to_string());
                } else {
                    lines.push(line);
                }
            }
        }
        if let Some((key, lines)) = current.take() {
            entries.insert(key, lines);
        }
        for (key, lines) in entries.iter_mut() {
            if key.kind == "TABLE" {
                lines.sort();
            }
        }
        Dump { entries }
    }

    /// Keeps the entries of `schemas`: objects in them, and the schemas themselves with
    /// their comments.
    /// Writes each expression of `readings` (text, as the server writes it back) as the
    /// server writes it back (see [`super::normalised`]).
    pub fn rewrite(&mut self, readings: &[(String, String)]) {
        if readings.is_empty() {
            return;
        }
        for lines in self.entries.values_mut() {
            let mut text = lines.join("\n");
            for (from, to) in readings {
                text = text.replace(from.as_str(), to);
            }
            *lines = text.split('\n').map(String::from).collect();
        }
    }

    pub fn restrict(&mut self, schemas: &BTreeSet<String>) {
        self.entries.retain(|k, _| {
            if k.schema != "-" {
                return schemas.contains(&k.schema);
            }
            match k.kind.as_str() {
                "SCHEMA" => schemas.contains(&k.name),
                "COMMENT" => k
                    .name
                    .strip_prefix("SCHEMA ")
                    .is_some_and(|s| schemas.contains(s.trim_matches('"'))),
                _ => false,
            }
        });
    }

    /// What the files leave to the applying role is loaded as the shadow server's user
    /// and read back as the database's (`Catalog::rename_current_user`); in a dump that
    /// role appears by name only in policies' `TO` lists (owners and privileges are left
    /// out), renamed here the same way.
    pub fn rename_policy_role(&mut self, from: &str, to: &str) {
        if from == to || from.is_empty() {
            return;
        }
        let (from, to) = (quote_ident(from), quote_ident(to));
        for (key, lines) in self.entries.iter_mut() {
            if key.kind != "POLICY" {
                continue;
            }
            for line in lines.iter_mut() {
                let Some(at) = line.find(" TO ") else {
                    continue;
                };
                let start = at + " TO ".len();
                let end = [" USING ", " WITH CHECK ", ";"]
                    .iter()
                    .filter_map(|m| line[start..].find(m))
                    .min()
                    .map_or(line.len(), |e| start + e);
                let roles: Vec<String> = line[start..end]
                    .split(", ")
                    .map(|r| if r == from { to.clone() } else { r.to_string() })
                    .collect();
                *line = format!("{}{}{}", &line[..start], roles.join(", "), &line[end..]);
            }
        }
    }

    /// Keeps the entries of `schemas` less what `ex` leaves out: the part of a dump the
    /// comparisons look at.
    pub fn keep(&mut self, schemas: &BTreeSet<String>, ex: &Exclusions) {
        self.restrict(schemas);
        self.exclude(ex);
    }

    /// Leaves out the entries of what `--exclude` leaves out: by the entry's schema and
    /// the object its name starts with (a constraint's, trigger's or policy's table; the
    /// object a comment is on), and an index by its table too.
    pub fn exclude(&mut self, ex: &Exclusions) {
        if ex.is_empty() {
            return;
        }
        self.entries.retain(|key, lines| {
            if key.schema == "-" {
                return !(key.kind == "SCHEMA" && ex.schema(&key.name));
            }
            let q = |name: &str| QualName::new(key.schema.clone(), name.trim_matches('"'));
            if ex.object(&q(entry_object(&key.kind, &key.name))) {
                return false;
            }
            // `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table …`
            if key.kind == "INDEX"
                && let Some(def) = lines.iter().find(|l| l.starts_with("CREATE "))
                && let Some(table) = def
                    .split(" ON ")
                    .nth(1)
                    .map(|rest| rest.trim_start_matches("ONLY "))
                    .and_then(|rest| rest.split_whitespace().next())
                && let Some((schema, name)) = table.split_once('.')
            {
                let table = QualName::new(schema.trim_matches('"'), name.trim_matches('"'));
                return !ex.object(&table);
            }
            true
        });
    }

    fn get(&self, key: &Key) -> &[String] {
        self.entries.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The object an entry is about, from its pg_dump name: `t t_pkey` (a constraint of t),
/// `f(integer)`, `COLUMN t.a` and `TABLE t` (comments) all name t or f.
fn entry_object<'a>(kind: &str, name: &'a str) -> &'a str {
    let name = if kind == "COMMENT" {
        // `TABLE t`, `MATERIALIZED VIEW m`, `CONSTRAINT c ON t`, `COLUMN t.a`
        match name.split_once(" ON ") {
            Some((_, on)) => on,
            None => name
                .rsplit_once(' ')
                .map_or(name, |(_, last)| last.split('.').next().unwrap_or(last)),
        }
    } else {
        name
    };
    name.split([' ', '(']).next().unwrap_or(name)
}

/// `SET x = 'value';` → `value`.
fn setting(v: &str) -> String {
    v.trim_end_matches(';')
        .trim()
        .trim_matches('\'')
        .to_string()
}

/// `t t_pkey; Type: CONSTRAINT; Schema: app; Owner: -` → the key.
fn parse_header(header: &str) -> Key {
    let mut name = header.to_string();
    let (mut kind, mut schema) = (String::new(), String::from("-"));
    if let Some(i) = header.rfind("; Type: ") {
        name = header[..i].to_string();
        let rest = &header[i + "; Type: ".len()..];
        let mut parts = rest.split("; ");
        kind = parts.next().unwrap_or_default().to_string();
        for p in parts {
            if let Some(s) = p.strip_prefix("Schema: ") {
                schema = s.to_string();
            }
        }
    }
    Key { schema, kind, name }
}

/// Storage parameters are a set: PostgreSQL keeps them in the order they were set, which
/// `ALTER … SET` cannot reproduce. Each `WITH (a='1', b='2')` list is written sorted.
fn sort_storage_parameters(line: &str) -> String {
    let Some(start) = line.find("WITH (") else {
        return line.to_string();
    };
    let open = start + "WITH (".len();
    let mut depth = 1;
    let mut quoted = false;
    let mut end = None;
    for (i, c) in line[open..].char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    end = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(end) = end else {
        return line.to_string();
    };
    let list = &line[open..end];
    let mut items: Vec<&str> = list.split(", ").collect();
    // Only option lists (`name='value'` or `name=value`); a `WITH (` inside an
    // expression or a view's query is left alone.
    if !items.iter().all(|i| {
        i.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
    }) {
        return line.to_string();
    }
    items.sort();
    format!("{}{}{}", &line[..open], items.join(", "), &line[end..])
}

/// What differs: the entry, and the lines predicted after the plan against the desired
/// ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub entry: String,
    /// The database holds it and the engine's copy does not: not managed.
    pub unmanaged: bool,
    pub after_plan: Vec<String>,
    pub desired: Vec<String>,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.unmanaged {
            "not managed (the database holds what the engine does not read)"
        } else {
            "not managed (the plan would not reach it)"
        };
        writeln!(f, "{}: {what}", self.entry)?;
        let a = self.after_plan.join("\n") + "\n";
        let b = self.desired.join("\n") + "\n";
        let diff = similar::TextDiff::from_lines(&a, &b);
        for change in diff.iter_all_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => "  - after the plan: ",
                similar::ChangeTag::Insert => "  + desired:        ",
                similar::ChangeTag::Equal => continue,
            };
            write!(f, "{sign}{change}")?;
        }
        Ok(())
    }
}

/// Compares the four dumps (see the module's documentation). `live` is `None` when the
/// live database could not be dumped comparably (taken then as equal to the copy).
pub fn gaps(live: Option<&Dump>, copy: &Dump, replayed: &Dump, desired: &Dump) -> Vec<Gap> {
    let live = live.unwrap_or(copy);
    let keys: BTreeSet<&Key> = live
        .entries
        .keys()
        .chain(copy.entries.keys())
        .chain(replayed.entries.keys())
        .chain(desired.entries.keys())
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let (l, c, r, d) = (
            live.get(key),
            copy.get(key),
            replayed.get(key),
            desired.get(key),
        );
        // Lines the database has and the copy lacks: what the engine does not read. (The
        // copy may also hold more than pg_dump shows, e.g. an invalid index the plan
        // rebuilds: that the engine saw and manages.)
        let lost = multiset_minus(l, c);
        let unmanaged = !lost.is_empty();
        let after_plan: Vec<String> = if !unmanaged {
            r.to_vec()
        } else {
            // What the plan leaves, plus what it never knew was there.
            let mut lines = r.to_vec();
            lines.extend(lost);
            for gone in multiset_minus(c, l) {
                if let Some(i) = lines.iter().position(|x| *x == gone) {
                    lines.remove(i);
                }
            }
            lines
        };
        let same = if unmanaged {
            sorted(&after_plan) == sorted(d)
        } else {
            after_plan == d
        };
        if !same {
            out.push(Gap {
                entry: key.to_string(),
                unmanaged,
                after_plan,
                desired: d.to_vec(),
            });
        }
    }
    out
}

/// Compares the live database's dump with the desired state's directly, for a plan the
/// engine found empty (nothing replayed): every difference is one the engine did not see.
pub fn direct_gaps(live: &Dump, desired: &Dump) -> Vec<Gap> {
    gaps(None, live, live, desired)
        .into_iter()
        .map(|mut g| {
            g.unmanaged = !multiset_minus(&g.after_plan, &g.desired).is_empty();
            g
        })
        .collect()
}

fn sorted(lines: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = lines.iter().collect();
    v.sort();
    v
}

/// The lines of `a` not matched one for one by lines of `b`.
fn multiset_minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest: Vec<&String> = b.iter().collect();
    let mut out = Vec::new();
    for line in a {
        match rest.iter().position(|x| *x == line) {
            Some(i) => {
                rest.remove(i);
            }
            None => out.push(line.clone()),
        }
    }
    out
}

/// The pg_dump to use for servers up to major `major`, or why there is none.
pub fn tool(major: u32) -> std::result::Result<PathBuf, String> {
    crate::backup::find_tool("pg_dump", major).map_err(|e| e.to_string())
}

/// Dumps `target` (the schemas of `schemas` when given, else everything) and parses it.
pub async fn take(pg_dump: &Path, target: &db::Target, schemas: Option<&[String]>) -> Result<Dump> {
    crate::progress::stage(
        format!(
            "pg_dump of {}",
            target.config.get_dbname().unwrap_or("the database")
        ),
        None,
    );
    let mut cmd = tokio::process::Command::new(pg_dump);
    cmd.args([
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--no-publications",
        "--no-subscriptions",
        // Only ACCESS SHARE locks, but a running migration's lock must not stall a plan.
        "--lock-wait-timeout=30s",
    ]);
    for s in schemas.unwrap_or_default() {
        // -n takes a pattern: quoted, the name matches literally.
        cmd.arg("-n").arg(format!("\"{}\"", s.replace('"', "\"\"")));
    }
    cmd.envs(target.libpq_env());
    let out = cmd
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| Error::NotValid(format!("cannot run {}: {e}", pg_dump.display())))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("no matching schemas were found") {
        // None of the schemas exists yet (a first deployment): nothing to dump.
        return Ok(Dump::default());
    }
    if !out.status.success() {
        return Err(Error::NotValid(format!(
            "pg_dump of {} failed (the independent check after the replay; --no-validate \
             skips it): {}",
            target.describe(),
            stderr.trim()
        )));
    }
    Ok(Dump::parse(&String::from_utf8_lossy(&out.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\
SELECT pg_catalog.set_config('search_path', '', false);\n\n--\n\
-- Name: app; Type: SCHEMA; Schema: -; Owner: -\n--\n\nCREATE SCHEMA app;\n\n\
SET default_tablespace = fast;\n\nSET default_table_access_method = heap;\n\n--\n\
-- Name: t; Type: TABLE; Schema: app; Owner: -\n--\n\nCREATE TABLE app.t (\n    id integer NOT NULL,\n    b text\n)\nWITH (fillfactor='50', autovacuum_enabled='false');\n\
ALTER TABLE ONLY app.t ALTER COLUMN b SET (n_distinct=100);\n\n--\n\
-- Name: t_b_idx; Type: INDEX; Schema: app; Owner: -\n--\n\n\
CREATE INDEX t_b_idx ON app.t USING btree (b) WITH (fillfactor='70', deduplicate_items='off') WHERE (b <> ''::text);\n\n\
--\n-- Name: other; Type: SCHEMA; Schema: -; Owner: -\n--\n\nCREATE SCHEMA other;\n";

    #[test]
    fn entries_are_keyed_by_header_and_normalised() {
        let mut d = Dump::parse(SAMPLE);
        d.restrict(&BTreeSet::from(["app".to_string()]));
        let keys: Vec<String> = d.entries.keys().map(|k| k.to_string()).collect();
        assert_eq!(
            keys,
            [
                "SCHEMA app",
                "INDEX t_b_idx (schema app)",
                "TABLE t (schema app)"
            ]
        );
        let table = &d.entries[&parse_header("t; Type: TABLE; Schema: app; Owner: -")];
        assert!(
            table.contains(&"(tablespace fast)".to_string()),
            "{table:?}"
        );
        assert!(table.contains(&"    b text".to_string()), "{table:?}");
        assert!(table.contains(&"WITH (autovacuum_enabled='false', fillfactor='50');".to_string()));
        let index = &d.entries[&parse_header("t_b_idx; Type: INDEX; Schema: app; Owner: -")];
        assert_eq!(
            index.last().unwrap(),
            "CREATE INDEX t_b_idx ON app.t USING btree (b) WITH (deduplicate_items='off', fillfactor='70') WHERE (b <> ''::text);"
        );
    }

    #[test]
    fn a_table_compares_its_columns_as_a_set() {
        let a = Dump::parse(
            "-- Name: t; Type: TABLE; Schema: app; Owner: -\nCREATE TABLE app.t (\n    a integer,\n    b text\n);\n",
        );
        let b = Dump::parse(
            "-- Name: t; Type: TABLE; Schema: app; Owner: -\nCREATE TABLE app.t (\n    b text,\n    a integer\n);\n",
        );
        assert_eq!(a, b);
    }

    fn one(lines: &str) -> Dump {
        Dump::parse(&format!(
            "-- Name: t; Type: TABLE; Schema: app; Owner: -\nCREATE TABLE app.t (\n{lines}\n);\n"
        ))
    }

    #[test]
    fn what_the_plan_does_not_reach_is_a_gap() {
        let c = one("    a integer");
        let d = one("    a integer");
        let mut d2 = d.clone();
        d2.entries.values_mut().for_each(|l| {
            l.push("ALTER TABLE ONLY app.t ALTER COLUMN a SET (n_distinct=5);".into())
        });
        assert!(gaps(None, &c, &c, &d).is_empty());
        let g = gaps(None, &c, &c, &d2);
        assert_eq!(g.len(), 1);
        assert!(!g[0].unmanaged);
        assert!(
            g[0].to_string()
                .contains("+ desired:        ALTER TABLE ONLY app.t"),
            "{}",
            g[0]
        );
    }

    #[test]
    fn what_the_copy_lost_must_be_what_the_files_want() {
        let extra = "ALTER TABLE ONLY app.t ALTER COLUMN a SET (n_distinct=5);";
        let c = one("    a integer");
        let mut l = c.clone();
        l.entries.values_mut().for_each(|x| x.push(extra.into()));
        // The database and the files agree on what the engine does not read: no gap.
        assert!(gaps(Some(&l), &c, &c, &l).is_empty());
        // The files do not have it: a gap, marked as held by the database.
        let g = gaps(Some(&l), &c, &c, &c);
        assert_eq!(g.len(), 1);
        assert!(g[0].unmanaged);
        // The plan adds a column to the table; the unread line stays, as the files want.
        let r = one("    a integer,\n    b text");
        let mut d = r.clone();
        d.entries.values_mut().for_each(|x| x.push(extra.into()));
        assert!(gaps(Some(&l), &c, &r, &d).is_empty());
        assert_eq!(gaps(Some(&l), &c, &r, &r).len(), 1);
    }

    #[test]
    fn the_applying_role_is_renamed_in_policies() {
        let mut d = Dump::parse(
            "-- Name: t p; Type: POLICY; Schema: app; Owner: -\n\
             CREATE POLICY p ON app.t TO postgres, reader USING (true);\n",
        );
        d.rename_policy_role("postgres", "App");
        let lines: Vec<&String> = d.entries.values().flatten().collect();
        assert_eq!(
            lines,
            [r#"CREATE POLICY p ON app.t TO "App", reader USING (true);"#]
        );
    }

    #[test]
    fn excluded_objects_leave_their_entries_out() {
        let mut d = Dump::parse(
            "-- Name: audit_log; Type: TABLE; Schema: app; Owner: -\nCREATE TABLE app.audit_log ();\n\
             -- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: app; Owner: -\nALTER …;\n\
             -- Name: TABLE audit_log; Type: COMMENT; Schema: app; Owner: -\nCOMMENT …;\n\
             -- Name: COLUMN audit_log.at; Type: COMMENT; Schema: app; Owner: -\nCOMMENT …;\n\
             -- Name: by_time; Type: INDEX; Schema: app; Owner: -\nCREATE INDEX by_time ON app.audit_log USING btree (at);\n\
             -- Name: orders; Type: TABLE; Schema: app; Owner: -\nCREATE TABLE app.orders ();\n",
        );
        d.exclude(&Exclusions::parse(&["app.audit_*".to_string()]).unwrap());
        let keys: Vec<String> = d.entries.keys().map(|k| k.to_string()).collect();
        assert_eq!(keys, ["TABLE orders (schema app)"]);
    }

    #[test]
    fn option_lists_only_are_sorted() {
        assert_eq!(
            sort_storage_parameters("WITH (toast.a='1', fillfactor='2');"),
            "WITH (fillfactor='2', toast.a='1');"
        );
        let view = "  WITH (SELECT b, a FROM x)";
        assert_eq!(sort_storage_parameters(view), view);
    }
}
