//! Plan validation: a plan is replayed on a copy of the current schema before it is
//! output; one that fails or does not converge there is an error naming what is wrong.
//! Also the loading order of desired files that name table members and objects by kind
//! before the files that create them.

use crate::support::{Desired, Env, trial};
use profe_migrate::pipeline::{Engine, Source};
use std::collections::BTreeSet;
use std::sync::Arc;

const FROM: &str = "CREATE SCHEMA shop;
    CREATE TABLE shop.orders (id bigint PRIMARY KEY, total numeric NOT NULL);";

const TO: &str = "CREATE SCHEMA shop;
    CREATE TABLE shop.orders (id bigint PRIMARY KEY, total numeric NOT NULL, note text);
    CREATE INDEX orders_total ON shop.orders (total);
    CREATE TABLE shop.refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES shop.orders);";

/// Plans FROM → TO, lets `tamper` damage the plan, and returns what validation says.
async fn validate_tampered(
    env: &Env,
    tamper: impl FnOnce(&mut profe_migrate::plan::Plan),
) -> Result<String, String> {
    let db = env.scratch("validate").await?;
    let result = async {
        let c = env.connect(&db).await?;
        c.batch_execute(FROM).await.map_err(|e| e.to_string())?;
        let desired = Desired::new(TO)?;
        let from = Source::Database(env.url(&db.name));
        let mut engine = Engine::with_cluster(env.cluster.clone());
        let mut plan = engine
            .plan(&from, &desired.source, &[])
            .await
            .map_err(|e| format!("the untouched plan: {e}"))?;
        let scope: BTreeSet<String> = plan.scope.iter().cloned().collect();
        let catalog = engine
            .catalog(&from, Some(&scope))
            .await
            .map_err(|e| e.to_string())?;
        tamper(&mut plan);
        match engine.validate_plan(&catalog, &plan).await {
            Ok(()) => Err("a damaged plan passed validation".into()),
            Err(e) => Ok(e.to_string()),
        }
    }
    .await;
    let _ = db.drop_db().await;
    result
}

async fn missing_step(env: &Env) -> Result<(), String> {
    let msg = validate_tampered(env, |plan| {
        plan.steps.retain(|s| !s.sql.contains("orders_total"));
    })
    .await?;
    if !msg.contains("leaves differences in index shop.orders_total")
        || !msg.contains("CREATE INDEX")
    {
        return Err(format!("the error does not name the index:\n{msg}"));
    }
    Ok(())
}

async fn failing_step(env: &Env) -> Result<(), String> {
    let msg = validate_tampered(env, |plan| {
        for s in plan.steps.iter_mut() {
            s.sql = s.sql.replace("(total)", "(no_such_column)");
        }
    })
    .await?;
    if !msg.contains("the plan fails") || !msg.contains("index shop.orders_total) failed") {
        return Err(format!("the error does not name the failing step:\n{msg}"));
    }
    Ok(())
}

/// Statements naming a view, a trigger, a policy, a constraint, a function and a schema
/// come in a file read before the one creating them; the state loads, plans and validates.
async fn members_named_before_created(env: &Env) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(
        dir.path().join("a_comments.sql"),
        "COMMENT ON VIEW z.totals IS 'sums';
         COMMENT ON POLICY own ON z.items IS 'mine';
         COMMENT ON CONSTRAINT items_positive ON z.items IS 'positive';
         COMMENT ON TRIGGER items_touch ON z.items IS 'touch';
         ALTER TABLE z.items DISABLE TRIGGER items_touch;
         GRANT EXECUTE ON FUNCTION z.touch() TO PUBLIC;
         ALTER DEFAULT PRIVILEGES IN SCHEMA z GRANT SELECT ON TABLES TO PUBLIC;
         COMMENT ON SCHEMA z IS 'zed';\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.path().join("b_objects.sql"),
        "CREATE SCHEMA z;
         CREATE TABLE z.items (id int PRIMARY KEY, n int, owner text);
         ALTER TABLE z.items ADD CONSTRAINT items_positive CHECK (n > 0);
         ALTER TABLE z.items ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON z.items USING (owner = current_user);
         CREATE FUNCTION z.touch() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER items_touch BEFORE UPDATE ON z.items
           FOR EACH ROW EXECUTE FUNCTION z.touch();
         CREATE VIEW z.totals AS SELECT sum(n) AS n FROM z.items;\n",
    )
    .map_err(|e| e.to_string())?;
    let mut engine = Engine::with_cluster(env.cluster.clone());
    let plan = engine
        .plan(
            &Source::Empty,
            &Source::Files(vec![dir.path().to_path_buf()]),
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    let sql = profe_migrate::plan::render::sql(&plan);
    for expected in [
        "COMMENT ON VIEW z.totals IS 'sums'",
        "DISABLE TRIGGER items_touch",
        "COMMENT ON POLICY own ON z.items",
    ] {
        if !sql.contains(expected) {
            return Err(format!("the plan lacks {expected}:\n{sql}"));
        }
    }
    Ok(())
}

/// Files that use an operator (in a view, an index, a comment) before the file that
/// creates it, and create it before its function: the loader orders them.
async fn operators_used_before_created(env: &Env) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).map_err(|e| e.to_string())
    };
    write(
        "a_uses.sql",
        "CREATE VIEW search.same AS SELECT w FROM search.words WHERE w OPERATOR(search.=~=) v;
         CREATE INDEX words_same ON search.words ((w OPERATOR(search.=~=) v));
         COMMENT ON OPERATOR search.=~= (text, text) IS 'equal, ignoring case';\n",
    )?;
    write(
        "b_operator.sql",
        "CREATE OPERATOR search.=~= (FUNCTION = search.ci_eq, LEFTARG = text, RIGHTARG = text);\n",
    )?;
    write(
        "c_objects.sql",
        "CREATE SCHEMA search;
         CREATE TABLE search.words (w text, v text);
         CREATE FUNCTION search.ci_eq(a text, b text) RETURNS boolean
             LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT lower(a) = lower(b) $$;\n",
    )?;
    let mut engine = Engine::with_cluster(env.cluster.clone());
    let plan = engine
        .plan(
            &Source::Empty,
            &Source::Files(vec![dir.path().to_path_buf()]),
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    let sql = profe_migrate::plan::render::sql(&plan);
    let at = |needle: &str| {
        sql.find(needle)
            .ok_or_else(|| format!("the plan lacks {needle}:\n{sql}"))
    };
    let operator = at("CREATE OPERATOR search.=~=")?;
    if at("FUNCTION search.ci_eq(a text")? > operator
        || at("CREATE VIEW search.same")? < operator
        || at("words_same")? < operator
    {
        return Err(format!(
            "the operator is not between its function and its users:\n{sql}"
        ));
    }
    at("COMMENT ON OPERATOR search.=~= (pg_catalog.text, pg_catalog.text)")?;
    Ok(())
}

pub fn trials(env: &Arc<Env>) -> Vec<libtest_mimic::Trial> {
    vec![
        trial(
            env,
            "validate::a_plan_missing_a_step_is_not_output",
            |env| env.block_on(missing_step(&env)),
        ),
        trial(
            env,
            "validate::a_plan_failing_on_the_copy_names_the_step",
            |env| env.block_on(failing_step(&env)),
        ),
        trial(
            env,
            "validate::files_naming_members_before_creating_them_load",
            |env| env.block_on(members_named_before_created(&env)),
        ),
        trial(
            env,
            "validate::files_using_operators_before_creating_them_load",
            |env| env.block_on(operators_used_before_created(&env)),
        ),
    ]
}
