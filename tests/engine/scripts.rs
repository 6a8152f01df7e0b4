//! The scripts' cache directory (scripts/cache.sh, scripts/pg-binaries.sh): where the
//! PostgreSQL binaries of the test suites are looked for, with no download (each case
//! holds a stand-in `postgres`, which the script takes as already fetched).

use crate::support::{Env, TestResult, trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const VERSION: &str = "pg-16.14.0-beta.17";

/// Writes an executable shell script `path`.
fn executable(path: &Path, script: &str) -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{script}")).map_err(|e| e.to_string())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())
}

/// A stand-in for PostgreSQL 16's fetched binaries under `cache`.
fn fetched(cache: &Path) -> Result<PathBuf, String> {
    let bin = cache.join(VERSION).join("native/bin");
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    executable(&bin.join("postgres"), "")?;
    Ok(bin)
}

/// `scripts/pg-binaries.sh 16` with only `vars` (and PATH) set; `uid` is what `id -u`
/// answers (a stand-in `id` first on PATH), so that both an ordinary user and root are
/// seen whoever runs the tests; `npm` fails (no download, whatever the script decides).
fn binaries(vars: &[(&str, &Path)], uid: u32, shims: &Path) -> Result<String, String> {
    executable(&shims.join("id"), &format!("echo {uid}\n"))?;
    executable(&shims.join("npm"), "echo 'npm called' >&2; exit 1\n")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-binaries.sh");
    let o = Command::new("bash")
        .arg(script)
        .arg("16")
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", shims.display()))
        .envs(vars.iter().map(|(k, v)| (k, v.as_os_str())))
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "pg-binaries.sh with {vars:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn cache_follows_the_variables() -> TestResult {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let at = |p: &str| tmp.path().join(p);
    let shims = at("shims");
    std::fs::create_dir_all(&shims).map_err(|e| e.to_string())?;
    let (pg, project, xdg, home) = (at("pg"), at("project"), at("xdg"), at("home"));
    let expect = |got: String, want: PathBuf, case: &str| {
        if Path::new(&got) == want {
            Ok(())
        } else {
            Err(format!("{case}: {got}, expected {}", want.display()))
        }
    };
    let pg_bin = fetched(&pg)?;
    let project_bin = fetched(&project)?;
    let xdg_bin = fetched(&xdg.join("profe-migrate"))?;
    let home_bin = fetched(&home.join(".cache/profe-migrate"))?;
    let all = [
        ("PROFE_PG_CACHE", pg.as_path()),
        ("PROFE_MIGRATE_CACHE", project.as_path()),
        ("XDG_CACHE_HOME", xdg.as_path()),
        ("HOME", home.as_path()),
    ];
    for uid in [0, 1000] {
        expect(
            binaries(&all, uid, &shims)?,
            pg_bin.clone(),
            "PROFE_PG_CACHE",
        )?;
        expect(
            binaries(&all[1..], uid, &shims)?,
            project_bin.clone(),
            "PROFE_MIGRATE_CACHE",
        )?;
    }
    // The older place wins when it already holds this version (no second download).
    let legacy = Path::new("/var/cache/profe-migrate").join(VERSION);
    if !legacy.join("native/bin/postgres").exists() {
        expect(
            binaries(&all[2..], 1000, &shims)?,
            xdg_bin,
            "XDG_CACHE_HOME",
        )?;
        expect(binaries(&all[3..], 1000, &shims)?, home_bin.clone(), "HOME")?;
        // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
        let relative = [("XDG_CACHE_HOME", Path::new("rel")), all[3]];
        expect(binaries(&relative, 1000, &shims)?, home_bin, "relative XDG")?;
    }
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "scripts::the_binaries_cache_follows_its_variables_and_the_users_cache",
        |_| cache_follows_the_variables(),
    )]
}
