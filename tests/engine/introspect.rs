//! Introspection: a fixed number of queries, schema-qualified expressions.

use crate::support::{Env, trial};
use profe_migrate::introspect::{extra_readers, introspect_around, introspect_with_stats};
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "introspect::query_count_does_not_grow_with_the_schema",
            |env| {
                env.block_on(async {
                let db = env.scratch("count").await?;
                let c = env.connect(&db).await?;
                let make = |from: i32, to: i32| {
                    format!(
                        "DO $$ BEGIN FOR i IN {from}..{to} LOOP \
                         EXECUTE format('CREATE TABLE s.t%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
                         k s.kind DEFAULT ''a'', name text UNIQUE, ref bigint, n int CHECK (n > 0))', i); \
                         EXECUTE format('CREATE INDEX ON s.t%s (ref)', i); END LOOP; END $$"
                    )
                };
                c.batch_execute("CREATE SCHEMA s; CREATE TYPE s.kind AS ENUM ('a', 'b')")
                    .await
                    .map_err(|e| e.to_string())?;
                c.batch_execute(&make(1, 10)).await.map_err(|e| profe_migrate::Error::describe_db(&e))?;
                let (small, s1) = introspect_with_stats(&c, &[], None).await.map_err(|e| e.to_string())?;
                // In batches: one transaction holding 10,000 tables' locks would exhaust the
                // lock table.
                for start in (11..=10_000).step_by(1000) {
                    let end = (start + 999).min(10_000);
                    c.batch_execute(&make(start, end)).await.map_err(|e| e.to_string())?;
                }
                let (large, s2) = introspect_with_stats(&c, &[], None).await.map_err(|e| e.to_string())?;
                let extra = extra_readers(&db.target, 2).await;
                let (parallel, s3) = introspect_with_stats(&c, &extra, None).await.map_err(|e| e.to_string())?;
                drop(extra);
                let _ = db.drop_db().await;
                if s3.connections != 3 || parallel != large {
                    return Err(format!(
                        "over {} connections the catalog differs from the one read over one: {} tables, {} indexes",
                        s3.connections,
                        parallel.tables.len(),
                        parallel.indexes.len()
                    ));
                }
                if small.tables.len() != 10 || large.tables.len() != 10_000 || large.indexes.len() != 10_000 {
                    return Err(format!(
                        "read {} and {} tables, {} indexes",
                        small.tables.len(),
                        large.tables.len(),
                        large.indexes.len()
                    ));
                }
                if s1.queries != s2.queries {
                    return Err(format!("{} queries for 10 tables, {} for 10,000", s1.queries, s2.queries));
                }
                Ok(())
            })
            },
        ),
        trial(
            env,
            "introspect::parallel_connections_read_one_snapshot",
            |env| {
                env.block_on(async {
                    let db = env.scratch("snap").await?;
                    let c = env.connect(&db).await?;
                    let other = env.connect(&db).await?;
                    c.batch_execute("CREATE SCHEMA s; CREATE TABLE s.a (id int PRIMARY KEY)")
                        .await
                        .map_err(|e| e.to_string())?;
                    let extra = extra_readers(&db.target, 2).await;
                    // Committed by another session after the snapshot: no connection may
                    // see it, whichever of them runs the tables, columns or index query.
                    let meanwhile = async {
                        other
                            .batch_execute(
                                "ALTER TABLE s.a ADD COLUMN late text; \
                                 CREATE TABLE s.b (id int PRIMARY KEY); CREATE INDEX ON s.a (late)",
                            )
                            .await
                            .expect("change the database meanwhile");
                    };
                    let (catalog, stats) = introspect_around(&c, &extra, None, meanwhile)
                        .await
                        .map_err(|e| e.to_string())?;
                    let (after, _) = introspect_with_stats(&c, &extra, None)
                        .await
                        .map_err(|e| e.to_string())?;
                    drop(extra);
                    let _ = db.drop_db().await;
                    let a = catalog
                        .tables
                        .values()
                        .find(|t| t.name.name == "a")
                        .ok_or("no table a")?;
                    if stats.connections != 3
                        || catalog.tables.len() != 1
                        || a.column("late").is_some()
                        || !catalog.indexes.is_empty()
                    {
                        return Err(format!(
                            "over {} connections the read saw later changes: {} tables, {} indexes",
                            stats.connections,
                            catalog.tables.len(),
                            catalog.indexes.len()
                        ));
                    }
                    if after.tables.len() != 2 || after.indexes.len() != 1 {
                        return Err(format!(
                            "the next read missed the changes: {} tables",
                            after.tables.len()
                        ));
                    }
                    Ok(())
                })
            },
        ),
        trial(
            env,
            "introspect::expressions_come_back_schema_qualified",
            |env| {
                env.block_on(async {
                    let db = env.scratch("qual").await?;
                    let c = env.connect(&db).await?;
                    c.batch_execute(
                        "CREATE SCHEMA app; SET search_path = app; \
                     CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE SEQUENCE counter; \
                     CREATE TABLE t (m mood DEFAULT 'ok', n bigint DEFAULT nextval('counter'), \
                     CONSTRAINT m_ok CHECK (m <> 'sad'::mood)); RESET search_path",
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    let catalog = profe_migrate::introspect::introspect(&c, None)
                        .await
                        .map_err(|e| e.to_string())?;
                    let _ = db.drop_db().await;
                    let t = catalog.tables.values().next().ok_or("no table")?;
                    let m = t.column("m").ok_or("no column m")?;
                    let n = t.column("n").ok_or("no column n")?;
                    let check = &t.constraints["m_ok"].definition;
                    if m.data_type != "app.mood"
                        || m.default.as_deref() != Some("'ok'::app.mood")
                        || n.default.as_deref() != Some("nextval('app.counter'::regclass)")
                        || !check.contains("'sad'::app.mood")
                    {
                        return Err(format!("not qualified: {m:?} {n:?} {check}"));
                    }
                    Ok(())
                })
            },
        ),
    ]
}
