//! Error paths: every failure names its cause and changes nothing.

use crate::support::{Env, trial};
use profe_migrate::Error;
use profe_migrate::pipeline::{Engine, Source};
use profe_migrate::source::DesiredState;
use std::sync::Arc;

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Objects of kinds the engine does not manage, in a live database's schema in scope: each
/// is named in the error, none passes unseen (before, these were neither managed nor
/// reported).
const UNMANAGED: &str = "
CREATE SCHEMA x;
CREATE TABLE x.t (a int, b int);
CREATE FUNCTION x.to_t(integer) RETURNS x.t LANGUAGE sql AS 'SELECT $1, $1';
CREATE OPERATOR FAMILY x.fam USING btree;
CREATE OPERATOR CLASS x.int_ops FOR TYPE integer USING btree AS
    OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(integer, integer);
CREATE TEXT SEARCH CONFIGURATION x.cfg (COPY = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY x.dict (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH PARSER x.prs (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE x.tmpl (LEXIZE = dsimple_lexize);
CREATE CONVERSION x.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE STATISTICS x.ab ON a, b FROM x.t;
CREATE PUBLICATION pub_x FOR TABLE x.t;
CREATE CAST (integer AS x.t) WITH FUNCTION x.to_t(integer);
CREATE FUNCTION x.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
CREATE EVENT TRIGGER x_on_ddl ON ddl_command_end EXECUTE FUNCTION x.on_ddl();
";

async fn unmanaged_kinds_are_reported(env: &Env) -> Result<(), String> {
    let db = env.scratch("unmanaged").await?;
    let result = async {
        let client = env.connect(&db).await?;
        crate::support::run_user_sql(&client, UNMANAGED)
            .await
            .map_err(|e| profe_migrate::Error::describe_db(&e))?;
        // A publication of a whole schema (PostgreSQL 15) names no table itself.
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let by_schema = version >= 150000;
        if by_schema {
            client
                .batch_execute("CREATE PUBLICATION pub_s FOR TABLES IN SCHEMA x;")
                .await
                .map_err(|e| e.to_string())?;
        }
        let dir = temp_dir();
        let path = dir.path().join("x.sql");
        std::fs::write(
            &path,
            "CREATE SCHEMA x;\nCREATE TABLE x.t (a int, b int);\n\
             CREATE FUNCTION x.to_t(integer) RETURNS x.t LANGUAGE sql AS 'SELECT $1, $1';\n\
             CREATE FUNCTION x.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';\n",
        )
        .map_err(|e| e.to_string())?;
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let r = engine
            .plan(
                &Source::Database(env.url(&db.name)),
                &Source::Files(vec![path]),
                &[],
            )
            .await;
        let msg = match r {
            Err(Error::Unsupported(msg)) => msg,
            other => {
                return Err(format!(
                    "expected unsupported kinds, got {:?}",
                    other.map(|_| ())
                ));
            }
        };
        for expected in [
            "operator class x.int_ops using btree",
            "operator family x.fam using btree",
            "text search configuration x.cfg",
            "text search dictionary x.dict",
            "text search parser x.prs",
            "text search template x.tmpl",
            "conversion x.conv",
            "statistics object x.ab",
            "publication pub_x of x.t",
            "cast (integer AS x.t) with x.to_t",
            "event trigger x_on_ddl calling x.on_ddl",
        ] {
            if !msg.contains(expected) {
                return Err(format!("the error does not name {expected}: {msg}"));
            }
        }
        if by_schema && !msg.contains("publication pub_s of x.t") {
            return Err(format!("the schema's publication is not named: {msg}"));
        }
        Ok(())
    }
    .await;
    // The event trigger and the publication are database-wide: the database goes with them.
    let _ = db.drop_db().await;
    result
}

/// A column type change with no cast between the types: refused, naming the column's step
/// and the missing cast, and saying how to give the conversion.
async fn missing_cast_is_explained(env: &Env) -> Result<(), String> {
    let db = env.scratch("missing_cast").await?;
    let result = async {
        let client = env.connect(&db).await?;
        client
            .batch_execute(
                "CREATE SCHEMA app; CREATE TABLE app.events (id int, created_at bigint);\n\
                 INSERT INTO app.events VALUES (1, 1767225600000);",
            )
            .await
            .map_err(|e| e.to_string())?;
        let desired = crate::support::Desired::new(
            "CREATE SCHEMA app; CREATE TABLE app.events (id int, created_at timestamptz);",
        )?;
        let planned = Engine::with_cluster(env.cluster.clone())
            .plan(&Source::Database(env.url(&db.name)), &desired.source, &[])
            .await;
        let msg = match planned {
            Ok(p) => return Err(format!("a plan of {} steps was output", p.steps.len())),
            Err(e) => profe_migrate::error::report(&e),
        };
        for needle in [
            "app.events.created_at",
            "cannot cast type bigint to timestamp with time zone",
            "-- @using EXPRESSION",
        ] {
            if !msg.contains(needle) {
                return Err(format!("the error does not say {needle:?}: {msg}"));
            }
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// Syntax of a newer PostgreSQL than the shadow server: the load error says which
/// release brought it and how to load the files into one.
fn newer_syntax_is_explained(env: &Env) -> Result<(), String> {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("app.sql"),
        "CREATE SCHEMA app;\n\
         CREATE TABLE app.seats (id int, rows int, per_row int,\n  \
         total int GENERATED ALWAYS AS (rows * per_row) VIRTUAL);\n",
    )
    .unwrap();
    let major = env.cluster.major();
    let err = env.block_on(async {
        Engine::with_cluster(env.cluster.clone())
            .catalog(&Source::Files(vec![dir.path().to_path_buf()]), None)
            .await
            .map(|_| ())
    });
    match (major, err) {
        (18.., Ok(())) => Ok(()),
        (_, Err(Error::Load { line, message, .. })) if major < 18 => {
            let want = format!(
                "VIRTUAL generated columns came with PostgreSQL 18; the shadow server is \
                 PostgreSQL {major}: pass --dev-url to a PostgreSQL 18 server"
            );
            if line == 3 && message.contains(&want) {
                Ok(())
            } else {
                Err(format!("got line {line}: {message}"))
            }
        }
        (_, other) => Err(format!("PostgreSQL {major}: got {other:?}")),
    }
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "errors::newer_syntax_is_explained", |env| {
            newer_syntax_is_explained(&env)
        }),
        trial(env, "errors::a_missing_cast_is_explained", |env| {
            env.block_on(missing_cast_is_explained(&env))
        }),
        trial(
            env,
            "errors::syntax_error_names_file_line_and_column",
            |_| {
                let dir = temp_dir();
                let path = dir.path().join("bad.sql");
                std::fs::write(
                &path,
                "CREATE TABLE ok (id int);\n\n-- a comment\nCREATE TABLE broken (id int,, name text);\n",
            )
            .unwrap();
                match DesiredState::read(std::slice::from_ref(&path)) {
                    Err(Error::Syntax {
                        path: p,
                        line,
                        column,
                        message,
                    }) => {
                        if p != path
                            || line != 4
                            || column != 29
                            || !message.contains("syntax error")
                        {
                            return Err(format!("got {}:{line}:{column}: {message}", p.display()));
                        }
                        Ok(())
                    }
                    other => Err(format!("expected a syntax error, got {other:?}")),
                }
            },
        ),
        trial(
            env,
            "errors::failing_statement_names_file_and_line",
            |env| {
                let dir = temp_dir();
                std::fs::write(dir.path().join("a.sql"), "CREATE SCHEMA app;\n").unwrap();
                std::fs::write(
                    dir.path().join("b.sql"),
                    "CREATE TABLE app.t (\n  id int,\n  kind app.missing_type\n);\n",
                )
                .unwrap();
                let err = env.block_on(async {
                    let mut engine = Engine::with_cluster(env.cluster.clone());
                    engine
                        .catalog(&Source::Files(vec![dir.path().to_path_buf()]), None)
                        .await
                });
                match err {
                    Err(Error::Load {
                        path,
                        line,
                        column,
                        message,
                    }) => {
                        let ok = path.ends_with("b.sql")
                            && line == 3
                            && column == 8
                            && message.contains("type \"app.missing_type\" does not exist");
                        if ok {
                            Ok(())
                        } else {
                            Err(format!("got {}:{line}:{column}: {message}", path.display()))
                        }
                    }
                    other => Err(format!(
                        "expected a load error, got {:?}",
                        other.map(|_| ())
                    )),
                }
            },
        ),
        trial(
            env,
            "errors::statements_load_in_dependency_order_across_files",
            |env| {
                let dir = temp_dir();
                // Alphabetical order is the wrong one for every statement here.
                std::fs::write(
                dir.path().join("a_files.sql"),
                "CREATE TABLE files.objects (id uuid PRIMARY KEY, owner bigint REFERENCES auth.accounts (id));\n\
                 CREATE INDEX objects_owner ON files.objects (owner);\n",
            )
            .unwrap();
                std::fs::write(
                dir.path().join("b_auth.sql"),
                "CREATE TABLE auth.accounts (id bigint PRIMARY KEY, status auth.status, n bigint DEFAULT nextval('auth.counter'));\n\
                 CREATE SEQUENCE auth.counter;\nCREATE TYPE auth.status AS ENUM ('a');\n",
            )
            .unwrap();
                std::fs::write(
                    dir.path().join("c_schemas.sql"),
                    "CREATE SCHEMA files;\nCREATE SCHEMA auth;\n",
                )
                .unwrap();
                let catalog = env
                    .block_on(async {
                        let mut engine = Engine::with_cluster(env.cluster.clone());
                        engine
                            .catalog(&Source::Files(vec![dir.path().to_path_buf()]), None)
                            .await
                    })
                    .map_err(|e| e.to_string())?;
                if catalog.tables.len() != 2
                    || catalog.indexes.len() != 1
                    || catalog.sequences.len() != 1
                {
                    return Err(format!("unexpected catalog: {catalog:?}"));
                }
                Ok(())
            },
        ),
        trial(env, "errors::reference_cycle_is_reported", |_| {
            let dir = temp_dir();
            let path = dir.path().join("cycle.sql");
            std::fs::write(
                &path,
                "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b (id));\n\
                 CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n",
            )
            .unwrap();
            match DesiredState::read(&[path]) {
                Err(Error::Cycle(msg))
                    if msg.contains("cycle.sql:1") && msg.contains("cycle.sql:2") =>
                {
                    Ok(())
                }
                other => Err(format!(
                    "expected a cycle error, got {:?}",
                    other.map(|_| ())
                )),
            }
        }),
        trial(env, "errors::unreachable_database", |env| {
            let r = env.block_on(async {
                let mut engine = Engine::with_cluster(env.cluster.clone());
                engine
                    .catalog(
                        &Source::Database(
                            "postgres://someone:hunter2@/db?host=/nonexistent-socket-dir&port=5432"
                                .into(),
                        ),
                        None,
                    )
                    .await
            });
            match r {
                Err(e @ Error::Connect { .. }) => {
                    let msg = e.to_string();
                    if msg.contains("hunter2") {
                        Err(format!("the password leaked: {msg}"))
                    } else if !msg.contains("/nonexistent-socket-dir") {
                        Err(format!("the message does not say where: {msg}"))
                    } else {
                        Ok(())
                    }
                }
                other => Err(format!(
                    "expected a connection error, got {:?}",
                    other.map(|_| ())
                )),
            }
        }),
        trial(
            env,
            "errors::missing_binaries",
            |_| match profe_migrate::cluster::Cluster::start_with(std::path::Path::new(
                "/nonexistent/bin",
            )) {
                Err(e) if e.to_string().contains("/nonexistent/bin/initdb") => Ok(()),
                Err(e) => Err(format!("unclear error: {e}")),
                Ok(_) => Err("a cluster started from nothing".into()),
            },
        ),
        trial(
            env,
            "errors::unmanaged_statements_are_refused_with_their_location",
            |_| {
                let dir = temp_dir();
                let path = dir.path().join("pubs.sql");
                std::fs::write(
                    &path,
                    "CREATE TABLE t (id int);\n  CREATE PUBLICATION p FOR TABLE t;\n",
                )
                .unwrap();
                match DesiredState::read(std::slice::from_ref(&path)) {
                    Err(Error::Unsupported(msg))
                        if msg.contains("pubs.sql:2:3") && msg.contains("publications") => {}
                    other => {
                        return Err(format!(
                            "expected an unsupported statement, got {:?}",
                            other.map(|_| ())
                        ));
                    }
                }
                // A password in the desired state is refused, and never printed.
                let path = dir.path().join("roles.sql");
                std::fs::write(
                    &path,
                    "CREATE ROLE app LOGIN;\nCREATE ROLE web LOGIN PASSWORD 'hunter2';\n",
                )
                .unwrap();
                match DesiredState::read(std::slice::from_ref(&path)) {
                    Err(Error::Unsupported(msg))
                        if msg.contains("roles.sql:2:1")
                            && msg.contains("passwords")
                            && !msg.contains("hunter2") => {}
                    other => {
                        return Err(format!(
                            "expected the password to be refused, got {:?}",
                            other.map(|_| ())
                        ));
                    }
                }
                // A rename annotation on something that cannot be renamed is reported.
                let path = dir.path().join("views.sql");
                std::fs::write(
                    &path,
                    "-- @renamed from old_view\nCREATE VIEW v AS SELECT 1;\n",
                )
                .unwrap();
                match DesiredState::read(std::slice::from_ref(&path)) {
                    Err(Error::Unsupported(msg))
                        if msg.contains("views.sql:2:1") && msg.contains("old_view") =>
                    {
                        Ok(())
                    }
                    other => Err(format!(
                        "expected the annotation to be refused, got {:?}",
                        other.map(|_| ())
                    )),
                }
            },
        ),
        trial(
            env,
            "errors::objects_of_unmanaged_kinds_in_a_database_are_reported",
            |env| env.block_on(unmanaged_kinds_are_reported(&env)),
        ),
        trial(env, "errors::unsupported_objects_are_reported", |env| {
            let dir = temp_dir();
            let path = dir.path().join("v.sql");
            std::fs::write(
                &path,
                "CREATE TABLE t (id int);\nCREATE RULE t_ignore AS ON INSERT TO t DO INSTEAD NOTHING;\n",
            )
            .unwrap();
            let r = env.block_on(async {
                let mut engine = Engine::with_cluster(env.cluster.clone());
                engine
                    .plan(&Source::Empty, &Source::Files(vec![path]), &[])
                    .await
            });
            match r {
                Err(Error::Unsupported(msg)) if msg.contains("rule t_ignore on public.t") => Ok(()),
                other => Err(format!(
                    "expected an unsupported-kind error, got {:?}",
                    other.map(|_| ())
                )),
            }
        }),
    ]
}
