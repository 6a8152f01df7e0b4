//! The pull-request comment: summary first, details collapsed, and a plan too long for
//! GitHub cut cleanly with a note.

use super::plan;
use crate::catalog::Catalog;
use crate::catalog::testing::*;
use crate::plan::markdown::{COMMENT_LIMIT, Options, render};
use crate::plan::{Plan, render::markdown};

/// The comment without the source fingerprint, which changes with the catalog's JSON.
fn comment(p: &Plan, options: &Options) -> String {
    render(p, options).replace(&p.source_fingerprint, "<fingerprint>")
}

/// Whether every code fence and `<details>` block that opens also closes, in order.
fn balanced(md: &str) -> Result<(), String> {
    let mut fence: Option<usize> = None;
    let mut depth: i64 = 0;
    for (n, line) in md.lines().enumerate() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(open) if ticks >= open && line.trim_end().len() == ticks => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                depth += line.matches("<details>").count() as i64;
                depth -= line.matches("</details>").count() as i64;
                if depth < 0 {
                    return Err(format!("line {}: </details> closes nothing", n + 1));
                }
            }
        }
    }
    match (fence, depth) {
        (None, 0) => Ok(()),
        (Some(_), _) => Err("a code fence is left open".into()),
        (None, d) => Err(format!("{d} <details> left open")),
    }
}

/// `app.courses` with these columns and grants.
fn courses(columns: Vec<crate::catalog::Column>, grants: &[(&str, &str, bool)]) -> Catalog {
    let mut granted = table_owner_acl();
    granted.extend(acl(grants));
    db().with_schema("app")
        .with_table(table("app.courses", columns))
        .with_acl(table_id("app.courses"), granted)
}

/// `n` tables of a few columns each, `reader` may select from every one.
fn many_tables(n: usize) -> Catalog {
    let mut c = db().with_schema("app");
    for i in 0..n {
        let name = format!("app.table_{i:05}");
        c = c
            .with_table(
                table(
                    &name,
                    vec![
                        col("id", "bigint").not_null(),
                        col("title", "text").not_null(),
                        col("created_at", "timestamp with time zone").default_to("now()"),
                        col("note", "text"),
                    ],
                )
                .pk("id"),
            )
            .with_acl(table_id(&name), {
                let mut a = table_owner_acl();
                a.extend(acl(&[("reader", "SELECT", false)]));
                a
            });
    }
    c
}

#[test]
fn a_plan_is_summarized_first_then_detailed_in_collapsed_sections() {
    let from = courses(
        vec![
            col("id", "bigint").not_null(),
            col("title", "text"),
            col("old", "text"),
        ],
        &[("writer", "DELETE", false)],
    );
    let to = courses(
        vec![col("id", "bigint").not_null(), col("title", "text")],
        &[("reader", "SELECT", false)],
    );
    let p = plan(&from, &to);
    let md = comment(&p, &Options::default());
    insta::assert_snapshot!(md);
    balanced(&md).unwrap();
    let summary = md.find("**Hazards:**").expect("hazards in the summary");
    let details = md.find("<details>").expect("collapsed details");
    assert!(summary < details, "the summary comes before the details");
    assert!(
        md.contains("**Access changes:** 1 grant, 2 roles and tables whose access changes"),
        "access in the summary"
    );
    assert!(!md.contains("Cut to fit"), "a small plan is whole");
}

#[test]
fn an_empty_plan_says_so() {
    let c = courses(vec![col("id", "bigint")], &[]);
    assert_eq!(
        render(&plan(&c, &c), &Options::default()),
        "## profe-migrate plan\n\nNo changes.\n"
    );
}

#[test]
fn a_huge_plan_is_cut_to_fit_a_github_comment() {
    let p = plan(&db().with_schema("app"), &many_tables(2_000));
    assert!(crate::plan::render::sql(&p).len() > 10 * COMMENT_LIMIT);
    let md = markdown(&p);
    assert!(md.len() <= COMMENT_LIMIT, "{} bytes", md.len());
    balanced(&md).unwrap();
    assert!(
        md.starts_with("## profe-migrate plan\n\n**"),
        "the summary comes first"
    );
    assert!(
        md.contains("| table | 2000 | "),
        "counts per kind:\n{}",
        &md[..3000]
    );
    let shown = md.matches("\n-- step ").count();
    let total = p.steps.len();
    assert!(shown > 0 && shown < total, "{shown} of {total} steps shown");
    assert!(
        md.contains(&format!(
            "**Cut to fit GitHub's limit of 65,536 characters:** the SQL of {} of {total} steps is left out",
            total - shown
        )),
        "the note says how many steps are left out:\n{}",
        &md[md.len() - 600..]
    );
    assert!(
        md.contains("`--format json` (the JSON plan)"),
        "and where the full plan is"
    );
    assert!(
        md.contains("\n-- … the rest of the script is left out (see the note below)\n```\n"),
        "the SQL says where it is cut, inside its fence"
    );
    // The steps shown are the first ones, in order.
    assert!(md.contains(&format!("\n-- step {shown}: ")));
    assert!(!md.contains(&format!("\n-- step {}: ", shown + 1)));
    assert_eq!(md, markdown(&p), "deterministic");
}

#[test]
fn a_cut_comment_names_the_full_plan_file_and_the_sections_it_shortened() {
    let p = plan(&db().with_schema("app"), &many_tables(200));
    let options = Options {
        limit: 6_000,
        full_plan: Some("plan.json"),
    };
    let md = render(&p, &options);
    assert!(md.len() <= 6_000, "{} bytes", md.len());
    balanced(&md).unwrap();
    assert!(md.ends_with(". The full plan: `plan.json`.\n"), "{md}");
    let rows = md.matches("| reader | app.table_").count();
    assert!(
        rows < p.access.len(),
        "{rows} of {} access rows",
        p.access.len()
    );
    assert!(md.contains("; shortened: access changes"), "{md}");
    // A section that did not fit is left out from where it stopped: the rows shown are
    // the first ones.
    if rows > 0 {
        assert!(md.contains("| reader | app.table_00000 |"));
    }
}

#[test]
fn a_limit_too_small_for_any_section_keeps_the_note_and_a_valid_structure() {
    let p = plan(&db().with_schema("app"), &many_tables(5));
    let md = render(
        &p,
        &Options {
            limit: 1_500,
            full_plan: None,
        },
    );
    assert!(md.len() <= 1_500, "{} bytes:\n{md}", md.len());
    balanced(&md).unwrap();
    assert!(md.contains(&format!(
        "the SQL of {} of {} steps is left out",
        p.steps.len(),
        p.steps.len()
    )));
}

#[test]
fn a_code_fence_outlasts_backticks_inside_a_body() {
    let mut from = db().with_schema("app");
    let mut to = from.clone();
    let f = |body: &str| function("app.f", "", "", "text", "sql", &["IMMUTABLE"], body);
    from = from.with_function(f(" SELECT 'a'::text "));
    to = to.with_function(f(" SELECT '\n```\n'::text "));
    let md = markdown(&plan(&from, &to));
    // A diff's lines start with a sign: only the SQL holds a line that starts with ```.
    assert!(md.contains("\n```diff\n"), "{md}");
    assert!(md.contains("\n````sql\n"), "{md}");
    balanced(&md).unwrap();
}
