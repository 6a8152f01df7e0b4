use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One desired-state file and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Reads one `.sql` file, or every `*.sql` file under a directory (recursively, sorted by
/// path so that the result does not depend on the file system). A folder named `seeds` is
/// data, not schema, and is skipped.
///
/// A file reached by several paths (symbolic links, the same path given twice, a folder
/// and a file inside it both given) is read once, under the first of its paths in order:
/// read twice, its statements would clash with themselves. Folders are walked once each
/// by their canonical path, which also ends symbolic link loops.
pub fn read_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>> {
    let mut walk = Walk::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk.dir(path)?;
        } else {
            walk.found.push(path.clone());
        }
    }
    let mut found = walk.found;
    found.sort();
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for path in found {
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        if !seen.insert(std::fs::canonicalize(&path).map_err(io)?) {
            continue;
        }
        let text = without_psql_restrict(std::fs::read_to_string(&path).map_err(io)?);
        files.push(SourceFile { path, text });
    }
    Ok(files)
}

/// pg_dump (15.14, 16.10, 17.6 and later) brackets its output with the psql
/// meta-commands `\restrict KEY` and `\unrestrict KEY`, which are not SQL: a
/// `structure.sql` written by it is read with those lines blanked (kept as spaces, so that
/// every position in the file stays right). The random key makes such a line inside a
/// function body impossible in practice.
fn without_psql_restrict(text: String) -> String {
    let meta = |line: &str| {
        let line = line.trim_end();
        ["\\restrict ", "\\unrestrict "].iter().any(|c| {
            line.strip_prefix(c).is_some_and(|key| {
                !key.is_empty() && key.chars().all(|ch| ch.is_ascii_alphanumeric())
            })
        })
    };
    if !text.lines().any(meta) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if meta(line) {
            let body = line.trim_end_matches(['\n', '\r']);
            out.push_str(&" ".repeat(body.len()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[derive(Default)]
struct Walk {
    found: Vec<PathBuf>,
    /// Canonical paths of the folders walked so far.
    visited: HashSet<PathBuf>,
    /// Canonical paths of the folders being walked, outermost first: a link back to one of
    /// them is a loop, worth a warning (a second way to an other folder is not).
    open: Vec<PathBuf>,
}

impl Walk {
    fn dir(&mut self, dir: &Path) -> Result<()> {
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        let canonical = std::fs::canonicalize(dir).map_err(io)?;
        if self.open.contains(&canonical) {
            tracing::warn!(
                "skipping {}: a symbolic link loop back to {}",
                dir.display(),
                canonical.display()
            );
            return Ok(());
        }
        if !self.visited.insert(canonical.clone()) {
            tracing::debug!("{} was read already by another path", dir.display());
            return Ok(());
        }
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            entries.push(entry.map_err(io)?);
        }
        // Sorted, so that which of two links to one folder is walked does not depend on
        // the file system's order.
        entries.sort_by_key(|e| e.file_name());
        self.open.push(canonical);
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "seeds" {
                    self.dir(&path)?;
                }
            } else if path.extension().is_some_and(|e| e == "sql") {
                self.found.push(path);
            }
        }
        self.open.pop();
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(text.len());
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Where each line of a text starts, so that many offsets are located without scanning
/// the text from its start each time (a 10,000-table file has some 70,000 statements).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The same as [`line_col`].
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= byte);
        let start = self.starts[line - 1];
        (line, self.text[start..byte].chars().count() + 1)
    }
}

/// Byte offset of the `n`th character (1-based), clamped to the text.
pub fn char_to_byte(text: &str, n: usize) -> usize {
    text.char_indices()
        .nth(n.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

/// Skips whitespace and comments, returning the offset where the statement itself begins.
pub fn skip_trivia(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"--") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psql_restrict_lines_are_blanked_in_place() {
        let text = "\\restrict abC123\nCREATE TABLE t (a int);\r\n\\unrestrict abC123\n";
        let out = without_psql_restrict(text.to_string());
        assert_eq!(out.len(), text.len());
        assert_eq!(
            out,
            "                \nCREATE TABLE t (a int);\r\n                  \n"
        );
        // Any other backslash line is left for the parser to refuse.
        let other = "\\connect db\n".to_string();
        assert_eq!(without_psql_restrict(other.clone()), other);
    }

    #[test]
    fn positions() {
        let t = "a\nbc\n  ñx";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 2));
        assert_eq!(line_col(t, t.find('x').unwrap()), (3, 4));
        let index = LineIndex::new(t);
        for byte in [0, 1, 2, 3, 5, t.find('x').unwrap(), t.len()] {
            assert_eq!(index.line_col(byte), line_col(t, byte), "at {byte}");
        }
        assert_eq!(char_to_byte("ñab", 2), 2);
        assert_eq!(skip_trivia("  -- c\n /* x /* y */ */ SELECT", 0), 24);
    }

    fn names(files: &[SourceFile], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| f.path.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn a_file_reached_twice_is_read_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("schema/app")).unwrap();
        std::fs::write(root.join("schema/app/t.sql"), "CREATE TABLE t ();").unwrap();
        std::fs::write(root.join("schema/u.sql"), "CREATE TABLE u ();").unwrap();
        // Two links to one folder, a link to a file, a link to the folder itself.
        std::os::unix::fs::symlink(root.join("schema/app"), root.join("schema/b")).unwrap();
        std::os::unix::fs::symlink("app", root.join("schema/c")).unwrap();
        std::os::unix::fs::symlink("u.sql", root.join("schema/v.sql")).unwrap();
        let schema = root.join("schema");
        let files = read_files(&[
            schema.clone(),
            schema.join("u.sql"),
            schema.join("./app/t.sql"),
            root.join("schema/../schema"),
            schema.join("b"),
        ])
        .unwrap();
        assert_eq!(names(&files, root), ["schema/app/t.sql", "schema/u.sql"]);
    }

    #[test]
    fn symbolic_link_loops_end() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("schema/app")).unwrap();
        std::fs::write(root.join("schema/app/t.sql"), "CREATE TABLE t ();").unwrap();
        // Each link doubles the paths to walk: without the loop check, 2^40 of them.
        std::os::unix::fs::symlink(".", root.join("schema/self")).unwrap();
        std::os::unix::fs::symlink("..", root.join("schema/app/up")).unwrap();
        std::os::unix::fs::symlink(root.join("schema"), root.join("schema/app/top")).unwrap();
        let files = read_files(&[root.join("schema")]).unwrap();
        assert_eq!(names(&files, root), ["schema/app/t.sql"]);
        // A file link that points at itself cannot be read: said, not skipped.
        std::os::unix::fs::symlink("x.sql", root.join("schema/x.sql")).unwrap();
        let e = read_files(&[root.join("schema")]).unwrap_err().to_string();
        assert!(e.starts_with("cannot read ") && e.contains("x.sql"), "{e}");
    }
}
