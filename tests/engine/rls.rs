//! Behaviour, not text: after a plan is applied, queries run under `SET ROLE` with
//! `app.account_id` set see exactly the rows the policies allow, and writes the policies
//! forbid fail.

use crate::support::{Desired, Env, TestResult, plan_db, trial};
use profe_migrate::pipeline::{self, Engine, Source};
use profe_migrate::plan::Hazard;
use profe_migrate::plan::access::Level;
use std::sync::Arc;
use tokio_postgres::Client;

const FROM: &str = r#"
CREATE ROLE rlsb_teacher NOLOGIN;
CREATE TABLE public.enrollments (id bigint PRIMARY KEY, account_id bigint NOT NULL, course_id bigint NOT NULL);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.enrollments TO rlsb_teacher;
"#;

const DESIRED: &str = r#"
CREATE ROLE rlsb_student;
CREATE ROLE rlsb_parent;
CREATE ROLE rlsb_teacher;
CREATE SCHEMA auth;
CREATE FUNCTION auth.current_account_id() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.account_id', true), '')::bigint $$;
GRANT USAGE ON SCHEMA auth TO rlsb_student, rlsb_parent, rlsb_teacher;
CREATE TABLE auth.guardians (parent_id bigint NOT NULL, child_id bigint NOT NULL, PRIMARY KEY (parent_id, child_id));
CREATE TABLE auth.course_teachers (course_id bigint NOT NULL, teacher_id bigint NOT NULL, PRIMARY KEY (course_id, teacher_id));
GRANT SELECT ON auth.guardians, auth.course_teachers TO rlsb_student, rlsb_parent, rlsb_teacher;
CREATE TABLE public.enrollments (id bigint PRIMARY KEY, account_id bigint NOT NULL, course_id bigint NOT NULL);
ALTER TABLE public.enrollments ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON public.enrollments TO rlsb_student, rlsb_parent;
GRANT SELECT, UPDATE ON public.enrollments TO rlsb_teacher;
CREATE POLICY student_own ON public.enrollments FOR SELECT TO rlsb_student
    USING (account_id = auth.current_account_id());
CREATE POLICY parent_children ON public.enrollments FOR SELECT TO rlsb_parent
    USING (account_id IN (SELECT g.child_id FROM auth.guardians g WHERE g.parent_id = auth.current_account_id()));
CREATE POLICY teacher_courses ON public.enrollments FOR ALL TO rlsb_teacher
    USING (course_id IN (SELECT t.course_id FROM auth.course_teachers t WHERE t.teacher_id = auth.current_account_id()));
"#;

const ROWS: &str = r#"
INSERT INTO auth.guardians VALUES (100, 1), (100, 2), (101, 3);
INSERT INTO auth.course_teachers VALUES (7, 200), (8, 201);
INSERT INTO public.enrollments VALUES
    (1, 1, 7), (2, 1, 8), (3, 2, 7), (4, 3, 8), (5, 4, 9);
"#;

/// Opens a transaction acting as `role` with `app.account_id` = `account`.
async fn act_as(c: &Client, role: &str, account: i64) -> Result<(), String> {
    c.batch_execute(&format!("BEGIN; SET LOCAL ROLE {role}"))
        .await
        .map_err(|e| e.to_string())?;
    c.execute(
        "SELECT set_config('app.account_id', $1, true)",
        &[&account.to_string()],
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The enrollment ids `role` sees as account `account`.
async fn visible(c: &Client, role: &str, account: i64) -> Result<Vec<i64>, String> {
    act_as(c, role, account).await?;
    let rows = c
        .query("SELECT id FROM public.enrollments ORDER BY id", &[])
        .await
        .map_err(|e| format!("{role} as {account}: {e}"));
    c.batch_execute("ROLLBACK")
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows?.iter().map(|r| r.get(0)).collect())
}

/// Runs `sql` as `role`/`account`; `Err` when PostgreSQL refuses it.
async fn write(c: &Client, role: &str, account: i64, sql: &str) -> Result<u64, String> {
    act_as(c, role, account).await?;
    let r = c
        .execute(sql, &[])
        .await
        .map_err(|e| profe_migrate::Error::describe_db(&e));
    c.batch_execute("ROLLBACK")
        .await
        .map_err(|e| e.to_string())?;
    r
}

async fn run(env: &Env) -> TestResult {
    let desired = Desired::new(DESIRED)?;
    let db = env.scratch("rls").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(FROM).await.map_err(|e| e.to_string())?;
        c.batch_execute("INSERT INTO public.enrollments VALUES (99, 1, 7)")
            .await
            .map_err(|e| e.to_string())?;
        // Before: the teacher sees everything, the others nothing.
        if visible(&c, "rlsb_teacher", 200).await? != vec![99] {
            return Err("before the plan the teacher should see every row".into());
        }
        c.batch_execute("DELETE FROM public.enrollments")
            .await
            .map_err(|e| e.to_string())?;
        let plan = plan_db(env, &db, &desired).await?;
        // The review says what changes for the teacher on the existing table.
        let teacher = plan
            .access
            .iter()
            .find(|a| a.role == "rlsb_teacher" && a.table == "public.enrollments")
            .ok_or("the access summary has no entry for rlsb_teacher")?;
        if teacher.before.select != Level::All
            || teacher.after.select != Level::Policy
            || teacher.after.insert != Level::None
            || teacher.after.delete != Level::None
        {
            return Err(format!("unexpected access summary: {teacher:?}"));
        }
        if !plan
            .steps
            .iter()
            .any(|s| s.hazards.contains(&Hazard::AuthzUpdate))
        {
            return Err("no step carries AUTHZ_UPDATE".into());
        }
        pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true)
            .await
            .map_err(|e| format!("apply: {e}"))?;
        c.batch_execute(ROWS).await.map_err(|e| e.to_string())?;

        let cases: &[(&str, i64, &[i64])] = &[
            ("rlsb_student", 1, &[1, 2]),
            ("rlsb_student", 3, &[4]),
            ("rlsb_student", 999, &[]),
            ("rlsb_parent", 100, &[1, 2, 3]),
            ("rlsb_parent", 101, &[4]),
            ("rlsb_parent", 1, &[]),
            ("rlsb_teacher", 200, &[1, 3]),
            ("rlsb_teacher", 201, &[2, 4]),
            ("rlsb_teacher", 1, &[]),
        ];
        for (role, account, want) in cases {
            let got = visible(&c, role, *account).await?;
            if got != *want {
                return Err(format!(
                    "{role} as account {account}: sees {got:?}, expected {want:?}"
                ));
            }
        }
        // A parent reads their children's rows but cannot write them.
        match write(
            &c,
            "rlsb_parent",
            100,
            "UPDATE public.enrollments SET course_id = 9 WHERE id = 1",
        )
        .await
        {
            Err(e) if e.contains("permission denied") => {}
            other => {
                return Err(format!(
                    "a parent's update should be refused, got {other:?}"
                ));
            }
        }
        // A teacher updates only their courses' rows; the others are invisible to them.
        let n = write(
            &c,
            "rlsb_teacher",
            200,
            "UPDATE public.enrollments SET course_id = course_id",
        )
        .await?;
        if n != 2 {
            return Err(format!("the teacher updated {n} rows, expected 2"));
        }
        // DELETE was revoked from the teacher by the plan.
        match write(&c, "rlsb_teacher", 200, "DELETE FROM public.enrollments").await {
            Err(e) if e.contains("permission denied") => Ok(()),
            other => Err(format!(
                "the teacher's delete should be refused, got {other:?}"
            )),
        }
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// Roles are cluster-wide: a role the desired state stops using is left alone, unless
/// `--drop-roles` says otherwise; then it is dropped after its grants are revoked.
async fn drop_roles(env: &Env) -> TestResult {
    let desired =
        Desired::new("CREATE TABLE public.t (id int);\nGRANT SELECT ON public.t TO drr_keep;\n")?;
    let db = env.scratch("droproles").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(
            "CREATE ROLE drr_old; CREATE ROLE drr_keep; CREATE TABLE public.t (id int);
             GRANT SELECT ON public.t TO drr_old, drr_keep;",
        )
        .await
        .map_err(|e| e.to_string())?;
        let from = Source::Database(env.url(&db.name));
        let to = desired.source.clone();
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let plan = engine
            .plan(&from, &to, &[])
            .await
            .map_err(|e| e.to_string())?;
        let sql = profe_migrate::plan::render::sql(&plan);
        if sql.contains("DROP ROLE")
            || !sql.contains("REVOKE SELECT ON TABLE public.t FROM drr_old")
        {
            return Err(format!("without --drop-roles:\n{sql}"));
        }
        engine.drop_roles = true;
        let plan = engine
            .plan(&from, &to, &[])
            .await
            .map_err(|e| e.to_string())?;
        let sql = profe_migrate::plan::render::sql(&plan);
        let (revoke, drop) = (sql.find("REVOKE SELECT"), sql.find("DROP ROLE drr_old;"));
        if !matches!((revoke, drop), (Some(r), Some(d)) if r < d)
            || sql.contains("DROP ROLE drr_keep")
        {
            return Err(format!("with --drop-roles:\n{sql}"));
        }
        pipeline::apply_plan(&c, &plan, Hazard::ALL, |_| true)
            .await
            .map_err(|e| format!("apply: {e}"))?;
        let left: Vec<String> = c
            .query(
                "SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'drr_%' ORDER BY 1",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if left != ["drr_keep"] {
            return Err(format!("roles left: {left:?}"));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

/// The desired state is loaded by the shadow server's superuser, the database is changed
/// by another role: what the files leave to "whoever runs them" (owners, FOR ROLE of
/// default privileges, grants to CURRENT_USER) means the applying role, and converges.
async fn other_user(env: &Env) -> TestResult {
    let desired = Desired::new(
        "CREATE SCHEMA app;
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO ren_reader;
         CREATE TABLE app.courses (id int PRIMARY KEY);
         CREATE TABLE app.notes (id int);
         GRANT SELECT ON app.notes TO CURRENT_USER;
         REVOKE DELETE ON app.notes FROM CURRENT_USER;
         ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY mine ON app.notes TO CURRENT_USER, ren_reader USING (true);\n",
    )?;
    let db = env.scratch("otheruser").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(&format!(
            "CREATE ROLE ren_app LOGIN; CREATE ROLE ren_reader;
             GRANT CREATE ON DATABASE \"{}\" TO ren_app;",
            db.name
        ))
        .await
        .map_err(|e| e.to_string())?;
        let url = env.url(&db.name).replace("user=postgres", "user=ren_app");
        let app =
            profe_migrate::db::connect(&profe_migrate::db::parse(&url).map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
        let from = Source::Database(url);
        let to = desired.source.clone();
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let plan = engine
            .plan(&from, &to, &[])
            .await
            .map_err(|e| e.to_string())?;
        let sql = profe_migrate::plan::render::sql(&plan);
        if sql.contains("postgres") || !sql.contains("FOR ROLE ren_app") {
            return Err(format!("the plan names the shadow's user:\n{sql}"));
        }
        pipeline::apply_plan(&app, &plan, Hazard::ALL, |_| true)
            .await
            .map_err(|e| format!("apply: {e}\n{sql}"))?;
        let again = engine
            .plan(&from, &to, &[])
            .await
            .map_err(|e| e.to_string())?;
        if !again.is_empty() {
            return Err(format!(
                "planning again is not empty:\n{}",
                profe_migrate::plan::render::sql(&again)
            ));
        }
        Ok(())
    }
    .await;
    let _ = db.drop_db().await;
    result
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "rls::queries_under_set_role_see_exactly_what_the_policies_allow",
            |env| env.block_on(run(&env)),
        ),
        trial(
            env,
            "rls::what_the_files_leave_to_the_applying_role_converges",
            |env| env.block_on(other_user(&env)),
        ),
        trial(env, "rls::roles_are_dropped_only_with_drop_roles", |env| {
            env.block_on(drop_roles(&env))
        }),
    ]
}
