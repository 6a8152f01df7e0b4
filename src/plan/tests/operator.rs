//! Operators: created after their function, altered in place when only the estimators
//! change, dropped and created again otherwise, and dropped before their function.

use super::{plan, position, sql};
use crate::catalog::testing::*;
use crate::catalog::{Catalog, ObjectId, QualName};

fn ci_eq() -> crate::catalog::Function {
    function(
        "app.ci_eq",
        "a text, b text",
        "text, text",
        "boolean",
        "sql",
        &[],
        " SELECT lower(a) = lower(b) ",
    )
}

fn op_id() -> ObjectId {
    ObjectId::Operator {
        name: QualName::new("app", "=~="),
        args: "text, text".into(),
    }
}

fn with(o: crate::catalog::Operator) -> Catalog {
    db().with_schema("app")
        .with_function(ci_eq())
        .with_operator(o)
        .with_dep(op_id(), fn_id("app.ci_eq", "text, text"))
}

fn ci() -> crate::catalog::Operator {
    operator("app.=~=", "text", "text", "app.ci_eq")
}

#[test]
fn created_after_its_function() {
    let mut o = ci();
    o.commutator = Some("OPERATOR(app.=~=)".into());
    o.restrict = Some("eqsel".into());
    o.join = Some("eqjoinsel".into());
    o.hashes = true;
    let p = plan(&db().with_schema("app"), &with(o.clone()));
    assert!(position(&p, "FUNCTION app.ci_eq") < position(&p, "CREATE OPERATOR"));
    insta::assert_snapshot!(sql(&db().with_schema("app"), &with(o)));
}

#[test]
fn estimators_alone_are_altered_in_place() {
    let mut from = ci();
    from.restrict = Some("eqsel".into());
    let mut to = ci();
    to.join = Some("eqjoinsel".into());
    let p = plan(&with(from), &with(to));
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        p.steps[0].sql,
        "ALTER OPERATOR app.=~= (text, text) SET (RESTRICT = NONE, JOIN = eqjoinsel);"
    );
}

#[test]
fn another_function_drops_and_creates_it() {
    let mut to = ci();
    to.function = "app.ci_eq2".into();
    insta::assert_snapshot!(sql(&with(ci()), &with(to)));
}

#[test]
fn dropped_before_its_function() {
    let p = plan(&with(ci()), &db().with_schema("app"));
    assert!(position(&p, "DROP OPERATOR app.=~= (text, text)") < position(&p, "DROP FUNCTION"));
}

#[test]
fn a_prefix_operator_is_named_with_none() {
    let mut o = ci();
    o.left = None;
    o.args = "text".into();
    let to = db()
        .with_schema("app")
        .with_function(ci_eq())
        .with_operator(o);
    let p = plan(&to, &db().with_schema("app").with_function(ci_eq()));
    assert_eq!(p.steps[0].sql, "DROP OPERATOR app.=~= (NONE, text);");
}
