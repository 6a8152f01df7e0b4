use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn has_server(dir: &Path) -> bool {
    dir.join("postgres").is_file() && dir.join("initdb").is_file()
}

/// Finds the PostgreSQL server binaries: `$PG_BIN`, then `pg_config --bindir`, then `PATH`,
/// then the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        let dir = PathBuf::from(dir);
        return if has_server(&dir) {
            Ok(dir)
        } else {
            Err(Error::Cluster(format!(
                "PG_BIN={} has no postgres and initdb binaries",
                dir.display()
            )))
        };
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Ok(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_server(&dir) {
                // Resolve symlinks so that the server finds its share directory.
                let real = std::fs::canonicalize(dir.join("postgres"))
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .unwrap_or(dir);
                return Ok(real);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir).ok_or_else(|| {
        Error::Cluster(
            "no PostgreSQL server binaries found (looked at $PG_BIN, pg_config --bindir, PATH \
             and /usr/lib/postgresql/*/bin); install the postgresql package or set PG_BIN"
                .into(),
        )
    })
}

pub(super) fn major_version(data_dir: &Path) -> u32 {
    std::fs::read_to_string(data_dir.join("PG_VERSION"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// The major version of the server binaries in `bin_dir` (`postgres --version` prints
/// `postgres (PostgreSQL) 15.8 (Debian 15.8-1)`, or `18beta1`).
pub fn server_major(bin_dir: &Path) -> Result<u32> {
    let out = Command::new(bin_dir.join("postgres"))
        .arg("--version")
        .output()
        .map_err(|e| Error::Cluster(format!("cannot run {}/postgres: {e}", bin_dir.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_major(&text).ok_or_else(|| {
        Error::Cluster(format!(
            "{}/postgres --version printed no version: {}",
            bin_dir.display(),
            text.trim()
        ))
    })
}

fn parse_major(version: &str) -> Option<u32> {
    let word = version.split(')').nth(1)?.split_whitespace().next()?;
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn major_versions_are_read_from_the_version_line() {
        for (line, major) in [
            (
                "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n",
                Some(15),
            ),
            ("postgres (PostgreSQL) 18beta1\n", Some(18)),
            ("postgres (PostgreSQL) 9.6.24\n", Some(9)),
            ("nonsense", None),
        ] {
            assert_eq!(super::parse_major(line), major, "{line}");
        }
    }
}
