//! The database fingerprint (`src/introspect/fingerprint.rs`) that the warm server's kept
//! reads are keyed by: every kind of DDL changes it, including changes to the roles the
//! database names; rows, statistics, VACUUM and other databases or unrelated roles on the
//! same server do not.

use crate::support::{Env, TestResult, run_user_sql, trial};
use profe_migrate::introspect::fingerprint::fingerprint;
use std::sync::Arc;

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(env, "introspect::fingerprint_changes_with_any_ddl", any_ddl),
        trial(env, "introspect::fingerprint_holds_without_ddl", no_ddl),
    ]
}

const SETUP: &str = "\
CREATE ROLE fp_owner; CREATE ROLE fp_reader; CREATE ROLE fp_group; CREATE ROLE fp_named;
GRANT fp_group TO fp_reader;
CREATE SCHEMA fp AUTHORIZATION fp_owner;
CREATE TABLE fp.t (id int PRIMARY KEY, v text);
GRANT SELECT ON fp.t TO fp_reader;
CREATE FUNCTION fp.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
";

/// Each statement is DDL the fingerprint must see (in order: each builds on the last).
const DDL: &[&str] = &[
    "ALTER TABLE fp.t ADD COLUMN w int",
    "ALTER TABLE fp.t ALTER COLUMN w SET DEFAULT 3",
    "ALTER TABLE fp.t ALTER COLUMN w SET STATISTICS 500",
    "CREATE INDEX t_v ON fp.t (v)",
    "ALTER INDEX fp.t_v RENAME TO t_v2",
    "COMMENT ON TABLE fp.t IS 'a table'",
    "CREATE OR REPLACE FUNCTION fp.f() RETURNS int LANGUAGE sql AS 'SELECT 2'",
    "CREATE VIEW fp.v AS SELECT id FROM fp.t",
    "GRANT INSERT ON fp.t TO fp_reader",
    "ALTER TABLE fp.t ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY p ON fp.t TO fp_reader USING (true)",
    "ALTER TABLE fp.t SET (fillfactor = 70)",
    "CREATE SEQUENCE fp.s",
    "ALTER SEQUENCE fp.s INCREMENT 5",
    "CREATE TYPE fp.e AS ENUM ('a')",
    "ALTER TYPE fp.e ADD VALUE 'b'",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA fp GRANT SELECT ON TABLES TO fp_reader",
    "ALTER TABLE fp.t OWNER TO fp_named",
    // Roles: those the database's objects name, and their memberships.
    "ALTER ROLE fp_reader RENAME TO fp_reader2",
    "ALTER ROLE fp_owner CONNECTION LIMIT 3",
    "REVOKE fp_group FROM fp_reader2",
    "ALTER ROLE fp_group RENAME TO fp_group2",
    "DROP VIEW fp.v",
    "DROP TABLE fp.t",
];

const TEARDOWN: &str = "DROP SCHEMA IF EXISTS fp CASCADE; \
    DROP ROLE IF EXISTS fp_owner; DROP ROLE IF EXISTS fp_reader; DROP ROLE IF EXISTS fp_reader2; \
    DROP ROLE IF EXISTS fp_group; DROP ROLE IF EXISTS fp_group2; DROP ROLE IF EXISTS fp_named; \
    DROP ROLE IF EXISTS fp_other";

fn any_ddl(env: Arc<Env>) -> TestResult {
    env.block_on(async {
        let db = env.scratch("fp_ddl").await?;
        let client = env.connect(&db).await?;
        let result = async {
            run_user_sql(&client, SETUP)
                .await
                .map_err(|e| format!("setup: {e}"))?;
            // fp_group is named by no object: asked for, it matters (as a desired state's
            // role would).
            let asked = ["fp_group".to_string()];
            let mut last = fingerprint(&client, &asked)
                .await
                .map_err(|e| e.to_string())?;
            for sql in DDL {
                run_user_sql(&client, sql)
                    .await
                    .map_err(|e| format!("{sql}: {e}"))?;
                let now = fingerprint(&client, &asked)
                    .await
                    .map_err(|e| e.to_string())?;
                if now == last {
                    return Err(format!("the fingerprint did not change with: {sql}"));
                }
                last = now;
            }
            Ok(())
        }
        .await;
        let _ = run_user_sql(&client, TEARDOWN).await;
        drop(client);
        let _ = db.drop_db().await;
        result
    })
}

fn no_ddl(env: Arc<Env>) -> TestResult {
    env.block_on(async {
        let db = env.scratch("fp_same").await?;
        let client = env.connect(&db).await?;
        let result = async {
            run_user_sql(&client, &SETUP.replace("fp", "fq"))
                .await
                .map_err(|e| format!("setup: {e}"))?;
            run_user_sql(&client, "CREATE SCHEMA fq2; CREATE SEQUENCE fq2.s")
                .await
                .map_err(|e| e.to_string())?;
            let first = fingerprint(&client, &[]).await.map_err(|e| e.to_string())?;
            let other = env.scratch("fp_other").await?;
            let not_ddl = [
                "INSERT INTO fq.t SELECT g, 'x' FROM generate_series(1, 1000) g",
                "UPDATE fq.t SET v = 'y' WHERE id < 10",
                "ANALYZE fq.t",
                "VACUUM fq.t",
                "DELETE FROM fq.t WHERE id > 500",
                "SELECT nextval('fq2.s')",
                "CREATE ROLE fq_unrelated",
            ];
            for sql in not_ddl {
                run_user_sql(&client, sql)
                    .await
                    .map_err(|e| format!("{sql}: {e}"))?;
            }
            let now = fingerprint(&client, &[]).await.map_err(|e| e.to_string())?;
            let _ = other.drop_db().await;
            if now != first {
                return Err(
                    "rows, statistics, VACUUM, another database or an unrelated \
                            role changed the fingerprint"
                        .into(),
                );
            }
            Ok(())
        }
        .await;
        let _ = run_user_sql(
            &client,
            &format!(
                "{}; DROP ROLE IF EXISTS fq_unrelated",
                TEARDOWN.replace("fp", "fq")
            ),
        )
        .await;
        drop(client);
        let _ = db.drop_db().await;
        result
    })
}
