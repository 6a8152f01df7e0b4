//! Permissions per microservice: each service role reads and writes every table of its own
//! schema, writes nothing in any other, and reads elsewhere only what it was granted.

use crate::model::{Template, on_copy};
use crate::support::{Env, TestResult, trial};
use std::sync::Arc;
use tokio_postgres::Client;

const SERVICES: [(&str, &str); 8] = [
    ("auth_service", "auth"),
    ("users_service", "users"),
    ("organizations_service", "organizations"),
    ("academic_service", "academic"),
    ("plans_service", "plans"),
    ("chat_service", "chat"),
    ("analytics_service", "analytics"),
    ("files_service", "files"),
];

/// Runs `sql` as `role` and rolls back: Ok, or the error.
async fn as_role(c: &Client, role: &str, sql: &str) -> Result<(), String> {
    c.batch_execute(&format!("BEGIN; SET LOCAL ROLE {role}"))
        .await
        .map_err(|e| e.to_string())?;
    let r = c
        .batch_execute(sql)
        .await
        .map_err(|e| profe_migrate::Error::describe_db(&e));
    let _ = c.batch_execute("ROLLBACK").await;
    r
}

/// Statements that need SELECT, INSERT, UPDATE and DELETE on `table` and change nothing
/// (`column` is the last one: never an identity column in the model).
fn writes(table: &str, column: &str) -> String {
    format!(
        "INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT * FROM {table} WHERE false; \
         UPDATE {table} SET {column} = {column} WHERE false; \
         DELETE FROM {table} WHERE false"
    )
}

async fn own_schema_only(c: Client) -> TestResult {
    let tables: Vec<(String, String, String)> = c
        .query(
            "SELECT n.nspname::text, format('%I.%I', n.nspname, c.relname), \
                    (SELECT quote_ident(attname) FROM pg_attribute \
                     WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped \
                     ORDER BY attnum DESC LIMIT 1) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = ANY($1) ORDER BY 2",
            &[&SERVICES.iter().map(|(_, s)| *s).collect::<Vec<_>>()],
        )
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    if tables.len() != 25 {
        return Err(format!(
            "{} tables in the domain schemas, expected 25",
            tables.len()
        ));
    }
    let mut wrong = Vec::new();
    for (role, schema) in SERVICES {
        for (table_schema, table, column) in &tables {
            let r = as_role(&c, role, &writes(table, column)).await;
            match (table_schema == schema, r) {
                (true, Err(e)) => wrong.push(format!("{role} cannot write its own {table}: {e}")),
                (false, Ok(())) => wrong.push(format!("{role} can write {table}")),
                (false, Err(e)) if !e.contains("permission denied") => {
                    wrong.push(format!("{role} on {table}: unexpected error {e}"))
                }
                _ => {}
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

async fn granted_reads(c: Client) -> TestResult {
    let cases = [
        (
            "users_service",
            "SELECT id, email, status FROM auth.accounts",
            true,
        ),
        (
            "users_service",
            "SELECT password_hash FROM auth.accounts",
            false,
        ),
        (
            "academic_service",
            "SELECT name FROM organizations.organizations",
            true,
        ),
        (
            "plans_service",
            "SELECT count(*) FROM academic.courses JOIN academic.enrollments e ON e.course_id = courses.id",
            true,
        ),
        (
            "plans_service",
            "SELECT count(*) FROM academic.assessment_results",
            false,
        ),
        (
            "chat_service",
            "SELECT goal FROM plans.reinforcement_plans",
            true,
        ),
        ("chat_service", "SELECT count(*) FROM users.profiles", false),
        (
            "analytics_service",
            "SELECT * FROM analytics.course_progress",
            true,
        ),
        ("files_service", "SELECT body FROM chat.messages", true),
        ("files_service", "SELECT count(*) FROM chat.sessions", false),
        (
            "auth_service",
            "SELECT count(*) FROM organizations.organizations",
            false,
        ),
    ];
    let mut wrong = Vec::new();
    for (role, sql, allowed) in cases {
        let r = as_role(&c, role, sql).await;
        match (allowed, &r) {
            (true, Err(e)) => wrong.push(format!("{role} cannot run {sql}: {e}")),
            (false, Ok(())) => wrong.push(format!("{role} can run {sql}")),
            (false, Err(e)) if !e.contains("permission denied") => {
                wrong.push(format!("{role}: {sql}: unexpected error {e}"))
            }
            _ => {}
        }
    }
    // Services see every row of their own schema whatever the RLS policies say.
    let n: i64 = {
        c.batch_execute("BEGIN; SET LOCAL ROLE academic_service")
            .await
            .map_err(|e| e.to_string())?;
        let n = c
            .query_one("SELECT count(*) FROM academic.assessment_results", &[])
            .await
            .map_err(|e| e.to_string())
            .map(|r| r.get(0));
        let _ = c.batch_execute("ROLLBACK").await;
        n?
    };
    if n != 3 {
        wrong.push(format!("academic_service sees {n} of the 3 seeded results"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    let (t1, t2) = (template.clone(), template.clone());
    vec![
        trial(
            env,
            "services::each_service_writes_its_own_schema_and_no_other",
            move |env| on_copy(&env, &t1, "model_svc", own_schema_only),
        ),
        trial(
            env,
            "services::services_read_elsewhere_only_what_they_were_granted",
            move |env| on_copy(&env, &t2, "model_reads", granted_reads),
        ),
    ]
}
