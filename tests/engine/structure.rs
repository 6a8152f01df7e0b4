//! A desired state as people commit it: a `structure.sql` written by `pg_dump --clean
//! --if-exists` (or Rails) is read as it is. Its psql `\restrict` lines, `SET` lines,
//! `set_config`, `COMMENT ON EXTENSION`, its header of `DROP … IF EXISTS` statements (which
//! keep their place before the creations: a `DROP SCHEMA IF EXISTS app` moved after
//! `CREATE SCHEMA app` would drop it) and the `INSERT INTO schema_migrations` at its end
//! (data: skipped with a warning) all load; a database built from the same file plans
//! nothing.

use crate::support::{Desired, Env, plan_db, trial};
use std::sync::Arc;

const STRUCTURE: &str = r#"--
-- PostgreSQL database dump
--

\restrict Zq3d8Rk1vX0aLmN

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
SET row_security = off;

DROP TRIGGER IF EXISTS users_touch ON app.users;
DROP INDEX IF EXISTS app.index_users_on_email;
ALTER TABLE IF EXISTS ONLY app.users DROP CONSTRAINT IF EXISTS users_pkey;
ALTER TABLE IF EXISTS ONLY app.schema_migrations DROP CONSTRAINT IF EXISTS schema_migrations_pkey;
ALTER TABLE IF EXISTS app.users ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE IF EXISTS app.users_id_seq;
DROP TABLE IF EXISTS app.schema_migrations;
DROP VIEW IF EXISTS app.recent_users;
DROP TABLE IF EXISTS app.users;
DROP FUNCTION IF EXISTS app.touch();
DROP EXTENSION IF EXISTS citext;
DROP SCHEMA IF EXISTS app;

CREATE SCHEMA app;

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA app;

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';

SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE FUNCTION app.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;

CREATE TABLE app.schema_migrations (
    version character varying NOT NULL
);

CREATE TABLE app.users (
    id bigint NOT NULL,
    email app.citext NOT NULL,
    created_at timestamp(6) without time zone NOT NULL
);

CREATE VIEW app.recent_users AS
 SELECT users.id,
    users.email
   FROM app.users
  WHERE (users.created_at > (now() - '1 day'::interval));

CREATE SEQUENCE app.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE app.users_id_seq OWNED BY app.users.id;

ALTER TABLE ONLY app.users ALTER COLUMN id SET DEFAULT nextval('app.users_id_seq'::regclass);

ALTER TABLE ONLY app.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY app.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX index_users_on_email ON app.users USING btree (email);

CREATE TRIGGER users_touch BEFORE INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();

--
-- PostgreSQL database dump complete
--

\unrestrict Zq3d8Rk1vX0aLmN

SET search_path TO app;

INSERT INTO "schema_migrations" (version) VALUES
('20240101000000'),
('20240102000000');
"#;

async fn loads_as_written(env: &Env) -> Result<(), String> {
    let desired = Desired::new(STRUCTURE)?;
    let empty = env.scratch("structure_empty").await?;
    let built = env.scratch("structure_built").await?;
    let result = async {
        let plan = plan_db(env, &empty, &desired).await?;
        let sql: Vec<&str> = plan.steps.iter().map(|s| s.sql.as_str()).collect();
        for needle in [
            "CREATE SCHEMA app",
            "CREATE EXTENSION citext",
            "CREATE TABLE app.users",
        ] {
            if !sql.iter().any(|s| s.contains(needle)) {
                return Err(format!("the plan lacks {needle}: {sql:#?}"));
            }
        }
        if let Some(s) = sql.iter().find(|s| s.contains("DROP")) {
            return Err(format!("a plan from an empty database drops: {s}"));
        }
        // The same file run as psql would (its meta-commands aside): nothing to do.
        let client = env.connect(&built).await?;
        let runnable: String = STRUCTURE
            .lines()
            .filter(|l| !l.starts_with('\\'))
            .collect::<Vec<_>>()
            .join("\n");
        client
            .batch_execute(&runnable)
            .await
            .map_err(|e| e.to_string())?;
        let again = plan_db(env, &built, &desired).await?;
        if !again.steps.is_empty() {
            let steps: Vec<&str> = again.steps.iter().map(|s| s.sql.as_str()).collect();
            return Err(format!("a database built from the file plans {steps:#?}"));
        }
        Ok(())
    }
    .await;
    let _ = empty.drop_db().await;
    let _ = built.drop_db().await;
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![trial(
        env,
        "structure::pg_dump_clean_structure_sql_loads_as_written",
        |env| env.block_on(loads_as_written(&env)),
    )]
}
