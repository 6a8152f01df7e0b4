//! What the command line makes of odd inputs and outputs: an empty desired-state folder,
//! files reached twice through links, symbolic link loops, a missing output folder, a
//! reader that closes the pipe early.

use crate::support::{Env, TestResult, bin, trial};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn text(o: &Output) -> String {
    crate::support::output_text(o)
}

/// Runs `cmd`, killed after `secs` (a symbolic link loop used to walk for ever).
fn run_within(cmd: &mut Command, secs: u64) -> Result<Output, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let file = |p: &Path| std::fs::File::create(p).map(Stdio::from);
    let mut child = cmd
        .stdout(file(&out).map_err(|e| e.to_string())?)
        .stderr(file(&err).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {secs} s: {cmd:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Output {
        status,
        stdout: std::fs::read(&out).unwrap_or_default(),
        stderr: std::fs::read(&err).unwrap_or_default(),
    })
}

fn expect(o: &Output, code: i32, stderr_has: &str) -> TestResult {
    if o.status.code() == Some(code) && String::from_utf8_lossy(&o.stderr).contains(stderr_has) {
        Ok(())
    } else {
        Err(format!(
            "expected exit {code} and {stderr_has:?} on stderr, got {}",
            text(o)
        ))
    }
}

fn write(path: PathBuf, sql: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, sql).unwrap();
    path
}

/// Enough tables that their SQL fills a pipe's buffer several times over (64 kB on Linux):
/// the writer is still writing when the reader goes away.
fn wide_tables() -> String {
    (0..300)
        .map(|t| {
            let columns: Vec<String> = (0..20).map(|c| format!("column_{c:02} integer")).collect();
            format!(
                "CREATE TABLE public.wide_{t:03} ({});\n",
                columns.join(", ")
            )
        })
        .collect()
}

/// Runs `cmd` with its output read up to the first line only, then closed.
fn read_one_line(cmd: &mut Command) -> Result<(String, Output), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    drop(reader);
    let mut stderr = Vec::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_end(&mut stderr);
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((
        line,
        Output {
            status,
            stdout: Vec::new(),
            stderr,
        },
    ))
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "inputs::an_empty_desired_folder_is_an_error", |env| {
            let dev = env.url("postgres");
            let dir = tempfile::tempdir().unwrap();
            let empty = dir.path().join("empty");
            std::fs::create_dir(&empty).unwrap();
            // Seeds are data: a folder holding only them has no schema either.
            let seeded = dir.path().join("seeded");
            write(
                seeded.join("seeds/a.sql"),
                "INSERT INTO public.t VALUES (1);",
            );
            let db = env.block_on(env.scratch("inputs"))?;
            let url = env.url(&db.name);
            let r = (|| {
                for folder in [&empty, &seeded] {
                    let to = folder.to_str().unwrap();
                    let want = format!("no .sql files in {to}");
                    for args in [
                        vec!["plan", "--from", "empty", "--to", to],
                        vec![
                            "apply",
                            "--yes",
                            "--no-backup",
                            "--database-url",
                            &url,
                            "--to",
                            to,
                        ],
                        vec!["drift", "--database-url", &url, "--to", to],
                    ] {
                        let o = run_within(bin().args(&args).args(["--dev-url", &dev]), 120)?;
                        expect(&o, 1, &want).map_err(|e| format!("{args:?}: {e}"))?;
                    }
                }
                Ok(())
            })();
            let _ = env.block_on(db.drop_db());
            r
        }),
        trial(env, "inputs::a_file_reached_twice_is_read_once", |env| {
            let dev = env.url("postgres");
            let dir = tempfile::tempdir().unwrap();
            let schema = dir.path().join("schema");
            write(
                schema.join("app/t.sql"),
                "CREATE TABLE public.t (id int);\n",
            );
            // A second way to the same folder, and a loop back to the top.
            std::os::unix::fs::symlink("app", schema.join("again")).unwrap();
            std::os::unix::fs::symlink("..", schema.join("app/up")).unwrap();
            let o = run_within(
                bin()
                    .args(["plan", "--from", "empty", "--dev-url", &dev, "--to"])
                    .arg(&schema),
                120,
            )?;
            expect(&o, 0, "")?;
            if String::from_utf8_lossy(&o.stdout)
                .matches("CREATE TABLE public.t")
                .count()
                != 1
            {
                return Err(text(&o));
            }
            // The same folder twice and a file inside it, as a configuration lists them.
            let config = write(
                dir.path().join("profe-migrate.toml"),
                "[desired]\npaths = [\"schema\", \"schema/app\", \"./schema/app/t.sql\", \"schema\"]\n",
            );
            let o = run_within(
                bin()
                    .args(["plan", "--from", "empty", "--dev-url", &dev, "--config"])
                    .arg(&config),
                120,
            )?;
            expect(&o, 0, "")?;
            if String::from_utf8_lossy(&o.stdout)
                .matches("CREATE TABLE public.t")
                .count()
                != 1
            {
                return Err(text(&o));
            }
            Ok(())
        }),
        trial(env, "inputs::errors_say_each_cause_once", |env| {
            let dir = tempfile::tempdir().unwrap();
            let missing = dir.path().join("missing");
            let once = |o: &Output| {
                let err = String::from_utf8_lossy(&o.stderr);
                if err.matches("(os error").count() == 1 {
                    Ok(())
                } else {
                    Err(format!("the cause is not said once: {}", text(o)))
                }
            };
            let o = run_within(
                bin()
                    .args(["plan", "--from", "empty", "--to"])
                    .arg(&missing),
                60,
            )?;
            expect(&o, 1, &format!("cannot read {}: ", missing.display()))?;
            once(&o)?;
            let to = write(dir.path().join("t.sql"), "CREATE TABLE public.t (id int);");
            let dev = env.url("postgres");
            let out = missing.join("dir/plan.sql");
            let o = run_within(
                bin()
                    .args(["plan", "--from", "empty", "--dev-url", &dev, "--to"])
                    .arg(&to)
                    .arg("--out")
                    .arg(&out),
                120,
            )?;
            expect(&o, 1, &format!("cannot write {}: ", out.display()))?;
            once(&o)?;
            let db = env.block_on(env.scratch("inputs"))?;
            let url = env.url(&db.name);
            let r = (|| {
                let o = run_within(
                    bin()
                        .args([
                            "inspect",
                            "--format",
                            "json",
                            "--database-url",
                            &url,
                            "--out",
                        ])
                        .arg(&missing),
                    60,
                )?;
                let out = missing.join("catalog.json");
                expect(&o, 1, &format!("cannot write {}: ", out.display()))?;
                once(&o)?;
                // A folder to create under a file.
                let o = run_within(
                    bin()
                        .args(["inspect", "--database-url", &url, "--out"])
                        .arg(to.join("sub")),
                    60,
                )?;
                expect(
                    &o,
                    1,
                    &format!("cannot write {}: ", to.join("sub").display()),
                )?;
                once(&o)
            })();
            let _ = env.block_on(db.drop_db());
            r
        }),
        trial(
            env,
            "inputs::a_closed_pipe_ends_the_output_quietly",
            |env| {
                let dev = env.url("postgres");
                let sql = wide_tables();
                let dir = tempfile::tempdir().unwrap();
                let to = write(dir.path().join("wide.sql"), &sql);
                let db = env.block_on(env.scratch("inputs"))?;
                let url = env.url(&db.name);
                let r = (|| {
                    env.block_on(async {
                        let client = env.connect(&db).await?;
                        client.batch_execute(&sql).await.map_err(|e| e.to_string())
                    })?;
                    for args in [
                        vec!["inspect", "--database-url", &url],
                        vec!["plan", "--from", "empty", "--dev-url", &dev, "--to"],
                    ] {
                        let mut cmd = bin();
                        cmd.args(&args);
                        if args[0] == "plan" {
                            cmd.arg(&to);
                        }
                        let (line, o) = read_one_line(&mut cmd)?;
                        let stderr = String::from_utf8_lossy(&o.stderr);
                        if line.is_empty()
                            || o.status.code() != Some(0)
                            || stderr.contains("panicked")
                            || stderr.to_lowercase().contains("broken pipe")
                        {
                            return Err(format!("{args:?} after one line {line:?}: {}", text(&o)));
                        }
                    }
                    Ok(())
                })();
                let _ = env.block_on(db.drop_db());
                r
            },
        ),
    ]
}
