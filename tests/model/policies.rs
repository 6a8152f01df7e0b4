//! The model's row level security, proven with real queries under `SET ROLE` and
//! `set_config('app.account_id', …)`: students see their own rows, parents their
//! children's without writing them, teachers their courses', admins their organization's,
//! and nobody another organization's.

use crate::model::{Template, on_copy};
use crate::support::{Env, TestResult, trial};
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio_postgres::Client;

fn o1(n: &str) -> String {
    format!("00000000-0000-4000-8000-000000000{n}")
}
fn x1(n: &str) -> String {
    format!("10000000-0000-4000-8000-000000000{n}")
}
fn o2(n: &str) -> String {
    format!("20000000-0000-4000-8000-000000000{n}")
}

/// A second organization, and chat sessions, files and sign-in sessions for both (the
/// seeds hold the first organization's people, course, results and plan).
const MORE_DATA: &str = "
INSERT INTO organizations.organizations (id, name, slug, kind, country)
VALUES ('20000000-0000-4000-8000-000000000001', 'Otra Academia', 'otra-academia', 'academy', 'PT');
INSERT INTO auth.accounts (id, email, password_hash) VALUES
  ('20000000-0000-4000-8000-000000000101', 'admin@otra.example', '!'),
  ('20000000-0000-4000-8000-000000000102', 'teacher@otra.example', '!'),
  ('20000000-0000-4000-8000-000000000103', 'student@otra.example', '!');
INSERT INTO organizations.memberships (organization_id, account_id, role) VALUES
  ('20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000101', 'admin'),
  ('20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000102', 'teacher'),
  ('20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000103', 'student');
INSERT INTO users.profiles (account_id, display_name) VALUES
  ('20000000-0000-4000-8000-000000000101', 'A2'),
  ('20000000-0000-4000-8000-000000000102', 'T2'),
  ('20000000-0000-4000-8000-000000000103', 'S2');
INSERT INTO academic.subjects (id, organization_id, code, name) VALUES
  ('20000000-0000-4000-8000-000000000301', '20000000-0000-4000-8000-000000000001', 'HIS', 'Historia');
INSERT INTO academic.courses (id, subject_id, teacher_account_id, title, school_year, starts_on, ends_on)
VALUES ('20000000-0000-4000-8000-000000000401', '20000000-0000-4000-8000-000000000301',
        '20000000-0000-4000-8000-000000000102', 'Historia', '2026-2027', '2026-09-01', '2027-06-30');
INSERT INTO academic.enrollments (course_id, student_account_id) VALUES
  ('20000000-0000-4000-8000-000000000401', '20000000-0000-4000-8000-000000000103');
INSERT INTO academic.assessment_results (id, course_id, student_account_id, score) VALUES
  ('20000000-0000-4000-8000-000000000601', '20000000-0000-4000-8000-000000000401',
   '20000000-0000-4000-8000-000000000103', 7);
INSERT INTO plans.reinforcement_plans (id, student_account_id, course_id, created_by, goal, starts_on)
VALUES ('20000000-0000-4000-8000-000000000701', '20000000-0000-4000-8000-000000000103',
        '20000000-0000-4000-8000-000000000401', '20000000-0000-4000-8000-000000000102',
        'Fechas', '2026-10-01');
INSERT INTO plans.plan_activities (id, plan_id, position, kind, title) VALUES
  ('20000000-0000-4000-8000-000000000801', '20000000-0000-4000-8000-000000000701', 1, 'reading', 'Leer');
INSERT INTO plans.activity_progress (activity_id, student_account_id) VALUES
  ('20000000-0000-4000-8000-000000000801', '20000000-0000-4000-8000-000000000103');
INSERT INTO chat.sessions (id, account_id, course_id, topic) VALUES
  ('10000000-0000-4000-8000-000000000901', '00000000-0000-4000-8000-000000000103',
   '00000000-0000-4000-8000-000000000401', 'fracciones'),
  ('10000000-0000-4000-8000-000000000902', '00000000-0000-4000-8000-000000000104', NULL, 'libre'),
  ('20000000-0000-4000-8000-000000000901', '20000000-0000-4000-8000-000000000103',
   '20000000-0000-4000-8000-000000000401', 'historia');
INSERT INTO chat.messages (session_id, sender, body) VALUES
  ('10000000-0000-4000-8000-000000000901', 'student', '¿Qué es 2/4?'),
  ('10000000-0000-4000-8000-000000000901', 'tutor', 'Lo mismo que 1/2'),
  ('10000000-0000-4000-8000-000000000902', 'student', 'hola'),
  ('20000000-0000-4000-8000-000000000901', 'student', 'olá');
INSERT INTO chat.feedback (message_id, account_id, rating)
SELECT id, '00000000-0000-4000-8000-000000000103'::uuid, 5 FROM chat.messages
WHERE session_id = '10000000-0000-4000-8000-000000000901' AND sender = 'tutor';
INSERT INTO chat.feedback (message_id, account_id, rating)
SELECT id, '20000000-0000-4000-8000-000000000103'::uuid, 4 FROM chat.messages
WHERE session_id = '20000000-0000-4000-8000-000000000901';
INSERT INTO files.objects (id, owner_account_id, organization_id, bucket, storage_key, content_type, byte_size) VALUES
  ('10000000-0000-4000-8000-000000000a01', '00000000-0000-4000-8000-000000000103',
   '00000000-0000-4000-8000-000000000001', 'uploads', 'lucia/deberes.pdf', 'application/pdf', 1000),
  ('10000000-0000-4000-8000-000000000a02', '00000000-0000-4000-8000-000000000104',
   '00000000-0000-4000-8000-000000000001', 'uploads', 'mateo/dibujo.png', 'image/png', 2000),
  ('20000000-0000-4000-8000-000000000a01', '20000000-0000-4000-8000-000000000103',
   '20000000-0000-4000-8000-000000000001', 'uploads', 's2/trabalho.pdf', 'application/pdf', 3000);
INSERT INTO auth.sessions (id, account_id, token_hash, expires_at) VALUES
  ('10000000-0000-4000-8000-000000000b01', '00000000-0000-4000-8000-000000000103', 'tok-lucia',
   now() + interval '1 day'),
  ('20000000-0000-4000-8000-000000000b01', '20000000-0000-4000-8000-000000000103', 'tok-s2',
   now() + interval '1 day');
";

/// Each RLS table and the column that tells whose row it is.
const KEYS: [(&str, &str); 12] = [
    ("auth.sessions", "id"),
    ("users.profiles", "account_id"),
    ("users.guardianships", "student_account_id"),
    ("academic.enrollments", "student_account_id"),
    ("academic.assessment_results", "id"),
    ("plans.reinforcement_plans", "id"),
    ("plans.plan_activities", "id"),
    ("plans.activity_progress", "activity_id"),
    ("chat.sessions", "id"),
    ("chat.messages", "session_id"),
    ("chat.feedback", "account_id"),
    ("files.objects", "id"),
];

/// Who is asking: a group role and an account.
#[derive(Clone, Copy)]
struct Who {
    name: &'static str,
    role: &'static str,
    account: &'static str,
    org1: bool,
}

fn people() -> Vec<Who> {
    // Leaked once per run: the identities live for the whole test.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    vec![
        Who {
            name: "admin",
            role: "profe_admin",
            account: leak(o1("101")),
            org1: true,
        },
        Who {
            name: "teacher",
            role: "profe_teacher",
            account: leak(o1("102")),
            org1: true,
        },
        Who {
            name: "lucia",
            role: "profe_student",
            account: leak(o1("103")),
            org1: true,
        },
        Who {
            name: "mateo",
            role: "profe_student",
            account: leak(o1("104")),
            org1: true,
        },
        Who {
            name: "parent",
            role: "profe_parent",
            account: leak(o1("105")),
            org1: true,
        },
        Who {
            name: "admin2",
            role: "profe_admin",
            account: leak(o2("101")),
            org1: false,
        },
        Who {
            name: "teacher2",
            role: "profe_teacher",
            account: leak(o2("102")),
            org1: false,
        },
        Who {
            name: "student2",
            role: "profe_student",
            account: leak(o2("103")),
            org1: false,
        },
    ]
}

fn who(name: &str) -> Who {
    people()
        .into_iter()
        .find(|w| w.name == name)
        .expect("known identity")
}

/// Runs `sql` as `who` in a transaction that is rolled back; rows of one text column, or
/// the number of rows written.
async fn as_who(c: &Client, w: Who, sql: &str) -> Result<Vec<String>, String> {
    c.batch_execute(&format!("BEGIN; SET LOCAL ROLE {}", w.role))
        .await
        .map_err(|e| e.to_string())?;
    let r = async {
        c.execute(
            "SELECT set_config('app.account_id', $1, true)",
            &[&w.account],
        )
        .await?;
        if sql.starts_with("SELECT") {
            Ok(c.query(sql, &[]).await?.iter().map(|r| r.get(0)).collect())
        } else {
            Ok(vec![c.execute(sql, &[]).await?.to_string()])
        }
    }
    .await
    .map_err(|e: tokio_postgres::Error| profe_migrate::Error::describe_db(&e));
    let _ = c.batch_execute("ROLLBACK").await;
    r
}

async fn visible(c: &Client, w: Who, table: &str) -> Result<BTreeSet<String>, String> {
    let key = KEYS
        .iter()
        .find(|(t, _)| *t == table)
        .expect("known table")
        .1;
    Ok(
        as_who(c, w, &format!("SELECT DISTINCT {key}::text FROM {table}"))
            .await
            .map_err(|e| format!("{} reading {table}: {e}", w.name))?
            .into_iter()
            .collect(),
    )
}

async fn prepare(c: &Client) -> Result<(), String> {
    c.batch_execute(MORE_DATA)
        .await
        .map_err(|e| profe_migrate::Error::describe_db(&e))
}

fn set<const N: usize>(ids: [String; N]) -> BTreeSet<String> {
    ids.into_iter().collect()
}

/// Exactly the rows each person should see, table by table.
async fn exact_rows(c: Client) -> TestResult {
    prepare(&c).await?;
    let (lucia, mateo, s2) = (o1("103"), o1("104"), o2("103"));
    let lucia_results = set([o1("601"), o1("602")]);
    let all_results = set([o1("601"), o1("602"), o1("603")]);
    let activities = set([o1("801"), o1("802"), o1("803")]);
    let expected: Vec<(&str, &str, BTreeSet<String>)> = vec![
        ("lucia", "academic.enrollments", set([lucia.clone()])),
        (
            "lucia",
            "academic.assessment_results",
            lucia_results.clone(),
        ),
        ("lucia", "plans.reinforcement_plans", set([o1("701")])),
        ("lucia", "plans.plan_activities", activities.clone()),
        (
            "lucia",
            "plans.activity_progress",
            set([o1("801"), o1("802")]),
        ),
        ("lucia", "chat.sessions", set([x1("901")])),
        ("lucia", "chat.messages", set([x1("901")])),
        ("lucia", "chat.feedback", set([lucia.clone()])),
        ("lucia", "files.objects", set([x1("a01")])),
        ("lucia", "users.profiles", set([lucia.clone()])),
        ("lucia", "auth.sessions", set([x1("b01")])),
        ("mateo", "academic.enrollments", set([mateo.clone()])),
        ("mateo", "academic.assessment_results", set([o1("603")])),
        ("mateo", "plans.reinforcement_plans", set([])),
        ("mateo", "chat.sessions", set([x1("902")])),
        ("mateo", "files.objects", set([x1("a02")])),
        ("parent", "academic.enrollments", set([lucia.clone()])),
        (
            "parent",
            "academic.assessment_results",
            lucia_results.clone(),
        ),
        ("parent", "plans.reinforcement_plans", set([o1("701")])),
        ("parent", "plans.plan_activities", activities.clone()),
        ("parent", "chat.sessions", set([x1("901")])),
        ("parent", "files.objects", set([x1("a01")])),
        ("parent", "users.profiles", set([o1("105"), lucia.clone()])),
        ("parent", "users.guardianships", set([lucia.clone()])),
        (
            "teacher",
            "academic.enrollments",
            set([lucia.clone(), mateo.clone()]),
        ),
        (
            "teacher",
            "academic.assessment_results",
            all_results.clone(),
        ),
        ("teacher", "plans.reinforcement_plans", set([o1("701")])),
        // Mateo's chat has no course: not the teacher's business.
        ("teacher", "chat.sessions", set([x1("901")])),
        ("teacher", "files.objects", set([x1("a01"), x1("a02")])),
        (
            "teacher",
            "users.profiles",
            set([o1("102"), lucia.clone(), mateo.clone()]),
        ),
        (
            "admin",
            "academic.enrollments",
            set([lucia.clone(), mateo.clone()]),
        ),
        ("admin", "academic.assessment_results", all_results),
        ("admin", "chat.sessions", set([x1("901"), x1("902")])),
        ("admin", "files.objects", set([x1("a01"), x1("a02")])),
        (
            "admin",
            "users.profiles",
            set([o1("101"), o1("102"), lucia.clone(), mateo, o1("105")]),
        ),
        ("admin2", "academic.enrollments", set([s2.clone()])),
        ("admin2", "academic.assessment_results", set([o2("601")])),
        ("admin2", "chat.sessions", set([o2("901")])),
        ("teacher2", "academic.enrollments", set([s2.clone()])),
        ("teacher2", "plans.reinforcement_plans", set([o2("701")])),
        ("student2", "files.objects", set([o2("a01")])),
        ("student2", "auth.sessions", set([o2("b01")])),
    ];
    let mut wrong = Vec::new();
    for (name, table, want) in expected {
        let got = visible(&c, who(name), table).await?;
        if got != want {
            wrong.push(format!(
                "{name} sees in {table}: {got:?}, expected {want:?}"
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

/// No identity sees a single row of the other organization, in any RLS table it may read.
async fn no_other_organization(c: Client) -> TestResult {
    prepare(&c).await?;
    let mut leaks = Vec::new();
    let mut checked = 0;
    for w in people() {
        for (table, _) in KEYS {
            let rows = match visible(&c, w, table).await {
                Ok(rows) => rows,
                // A table the role has no SELECT on shows it nothing at all.
                Err(e) if e.contains("permission denied") => continue,
                Err(e) => return Err(e),
            };
            checked += 1;
            let foreign: Vec<&String> = rows
                .iter()
                .filter(|k| k.starts_with("20000000") == w.org1)
                .collect();
            if !foreign.is_empty() {
                leaks.push(format!("{} sees {table} rows {foreign:?}", w.name));
            }
        }
    }
    if checked < 60 {
        return Err(format!(
            "only {checked} (identity, table) pairs could be read"
        ));
    }
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(leaks.join("\n"))
    }
}

/// Writes: parents write nothing of their children's, teachers only in their courses,
/// students only their own, admins only in their organization.
async fn writes(c: Client) -> TestResult {
    prepare(&c).await?;
    let lucia = o1("103");
    let denied = "permission denied";
    let rls = "row-level security";
    let cases: Vec<(&str, String, Result<&str, &str>)> = vec![
        (
            "parent",
            "UPDATE academic.assessment_results SET score = 100".into(),
            Err(denied),
        ),
        (
            "parent",
            format!(
                "INSERT INTO plans.activity_progress (activity_id, student_account_id) \
                 VALUES ('{}', '{lucia}')",
                o1("803")
            ),
            Err(denied),
        ),
        (
            "parent",
            "UPDATE chat.sessions SET topic = 'x'".into(),
            Err(denied),
        ),
        ("parent", "DELETE FROM files.objects".into(), Err(denied)),
        (
            "parent",
            format!("UPDATE users.profiles SET display_name = 'x' WHERE account_id = '{lucia}'"),
            Ok("0"),
        ),
        (
            "parent",
            format!(
                "UPDATE files.objects SET bucket = 'x' WHERE id = '{}'",
                x1("a01")
            ),
            Ok("0"),
        ),
        (
            "teacher",
            format!(
                "INSERT INTO academic.assessment_results (course_id, student_account_id, score) \
                 VALUES ('{}', '{lucia}', 6)",
                o1("401")
            ),
            Ok("1"),
        ),
        (
            "teacher",
            format!(
                "INSERT INTO academic.assessment_results (course_id, student_account_id, score) \
                 VALUES ('{}', '{}', 6)",
                o2("401"),
                o2("103")
            ),
            Err(rls),
        ),
        (
            "lucia",
            format!(
                "INSERT INTO chat.messages (session_id, sender, body) VALUES ('{}', 'student', 'gracias')",
                x1("901")
            ),
            Ok("1"),
        ),
        (
            "lucia",
            format!(
                "INSERT INTO chat.messages (session_id, sender, body) VALUES ('{}', 'student', 'hola')",
                x1("902")
            ),
            Err(rls),
        ),
        (
            "lucia",
            format!(
                "INSERT INTO chat.messages (session_id, sender, body) VALUES ('{}', 'tutor', 'ok')",
                x1("901")
            ),
            Err(rls),
        ),
        (
            "lucia",
            "UPDATE academic.assessment_results SET score = 100".into(),
            Err(denied),
        ),
        (
            "lucia",
            format!(
                "INSERT INTO plans.activity_progress (activity_id, student_account_id) \
                 VALUES ('{}', '{lucia}')",
                o1("803")
            ),
            Ok("1"),
        ),
        (
            "admin",
            format!(
                "UPDATE academic.enrollments SET status = 'completed' \
                 WHERE student_account_id = '{lucia}'"
            ),
            Ok("1"),
        ),
        (
            "admin",
            format!(
                "UPDATE academic.enrollments SET status = 'completed' \
                 WHERE student_account_id = '{}'",
                o2("103")
            ),
            Ok("0"),
        ),
    ];
    let mut wrong = Vec::new();
    for (name, sql, want) in cases {
        let got = as_who(&c, who(name), &sql).await;
        let ok = match (&got, want) {
            (Ok(rows), Ok(n)) => rows.first().map(String::as_str) == Some(n),
            (Err(e), Err(needle)) => e.contains(needle),
            _ => false,
        };
        if !ok {
            wrong.push(format!("{name}: {sql}\n  got {got:?}, expected {want:?}"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

pub fn trials(env: &Arc<Env>, template: &Template) -> Vec<libtest_mimic::Trial> {
    let (t1, t2, t3) = (template.clone(), template.clone(), template.clone());
    vec![
        trial(
            env,
            "policies::each_person_sees_exactly_their_rows",
            move |env| on_copy(&env, &t1, "model_rows", exact_rows),
        ),
        trial(
            env,
            "policies::nobody_sees_another_organizations_rows",
            move |env| on_copy(&env, &t2, "model_orgs", no_other_organization),
        ),
        trial(
            env,
            "policies::writes_are_limited_to_what_each_role_may_change",
            move |env| on_copy(&env, &t3, "model_writes", writes),
        ),
    ]
}
