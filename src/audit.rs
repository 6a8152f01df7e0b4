//! Optional DDL audit (`audit install`): an event trigger that records every DDL statement
//! run outside the engine (who, when, what) in `profe_migrate.ddl_audit`, so that drift
//! reports can say who changed what. The engine's own sessions (marked by the setting
//! `profe_migrate.engine`, whatever their application name) are not recorded: their
//! changes are in the history.

use crate::error::Result;
use serde::Serialize;
use tokio_postgres::Client;

const INSTALL_SQL: &str = r#"
CREATE SCHEMA IF NOT EXISTS profe_migrate;
CREATE TABLE IF NOT EXISTS profe_migrate.ddl_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    db_user text NOT NULL DEFAULT session_user,
    application text DEFAULT current_setting('application_name', true),
    client_addr inet DEFAULT inet_client_addr(),
    command_tag text NOT NULL,
    object_type text,
    object_identity text,
    statement text
);
CREATE OR REPLACE FUNCTION profe_migrate.record_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SET search_path = ''
    AS $$
DECLARE
    r record;
BEGIN
    -- The engine's own sessions: they say so with a setting of their own (the
    -- application name is the user's to choose, PGAPPNAME included).
    IF current_setting('profe_migrate.engine', true) = 'on'
       OR current_setting('application_name', true) = 'profe-migrate' THEN
        RETURN;
    END IF;
    IF tg_event = 'sql_drop' THEN
        FOR r IN SELECT * FROM pg_catalog.pg_event_trigger_dropped_objects() LOOP
            IF r.schema_name IS DISTINCT FROM 'profe_migrate' AND r.original THEN
                INSERT INTO profe_migrate.ddl_audit (command_tag, object_type, object_identity, statement)
                VALUES (tg_tag, r.object_type, r.object_identity, pg_catalog.current_query());
            END IF;
        END LOOP;
    ELSE
        FOR r IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
            IF r.schema_name IS DISTINCT FROM 'profe_migrate' THEN
                INSERT INTO profe_migrate.ddl_audit (command_tag, object_type, object_identity, statement)
                VALUES (r.command_tag, r.object_type, r.object_identity, pg_catalog.current_query());
            END IF;
        END LOOP;
    END IF;
END
$$;
DROP EVENT TRIGGER IF EXISTS profe_migrate_ddl_audit;
CREATE EVENT TRIGGER profe_migrate_ddl_audit ON ddl_command_end
    EXECUTE FUNCTION profe_migrate.record_ddl();
DROP EVENT TRIGGER IF EXISTS profe_migrate_ddl_drop_audit;
CREATE EVENT TRIGGER profe_migrate_ddl_drop_audit ON sql_drop
    EXECUTE FUNCTION profe_migrate.record_ddl();
"#;

/// Installs (or reinstalls) the audit trigger; needs a superuser, as event triggers do.
pub async fn install(client: &Client) -> Result<()> {
    client
        .batch_execute(&format!("BEGIN;{INSTALL_SQL}COMMIT;"))
        .await
        .map_err(|e| {
            crate::Error::database(
                "installing the audit trigger (creating an event trigger needs a superuser): ",
                e,
            )
        })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub at: String,
    pub db_user: String,
    pub application: Option<String>,
    pub command_tag: String,
    pub object_identity: Option<String>,
    pub statement: Option<String>,
}

/// DDL recorded after `since` (an ISO timestamp; everything when None). Empty when the
/// audit trigger is not installed.
pub async fn since(client: &Client, since: Option<&str>) -> Result<Vec<Change>> {
    let installed: bool = client
        .query_one(
            "SELECT to_regclass('profe_migrate.ddl_audit') IS NOT NULL",
            &[],
        )
        .await?
        .get(0);
    if !installed {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), db_user, \
                    application, command_tag, object_identity, statement \
             FROM profe_migrate.ddl_audit \
             WHERE $1::text IS NULL OR at > $1::text::timestamptz ORDER BY id",
            &[&since],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Change {
            at: r.get(0),
            db_user: r.get(1),
            application: r.get(2),
            command_tag: r.get(3),
            object_identity: r.get(4),
            statement: r.get(5),
        })
        .collect())
}
