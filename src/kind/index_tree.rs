//! The partitioned-index hierarchy. An index on a partitioned table and its partitions'
//! indexes are one object with children: each child keeps its own name (`CREATE INDEX …
//! ON ONLY` then `ALTER INDEX … ATTACH PARTITION` let a schema name them freely), its own
//! storage parameters and statistics targets, and is never dropped on its own (the parent
//! index requires it; it goes with the parent, or stays as an index of its own when its
//! partition is detached).

use super::IndexChange;
use crate::catalog::{Catalog, Index, ObjectId, QualName, quote_ident, quote_literal};
use crate::diff::Context;
use crate::plan::{Action, Deps, Step, step};
use std::collections::{BTreeMap, BTreeSet};

/// The mark of the step that attaches `table` to its parent: the indexes PostgreSQL makes
/// or adopts for it exist from then on.
pub(crate) fn attached_mark(table: &QualName) -> String {
    format!("attached {table}")
}

/// The mark of the drop of an index or key constraint on `table`: before the table is
/// attached (its parent's index would adopt one of the same form, which then could not go
/// alone), and before a foreign key referencing `table` is added (it would bind to it).
pub(crate) fn dropped_mark(table: &QualName) -> String {
    format!("indexes dropped on {table}")
}

/// The index at the top of `index`'s hierarchy (itself when it has no parent).
fn root<'a>(catalog: &'a Catalog, index: &'a Index) -> &'a QualName {
    let mut at = index;
    while let Some(parent) = at.parent.as_ref().and_then(|p| catalog.indexes.get(p)) {
        at = parent;
    }
    &at.name
}

/// Whether the standalone index `i` (of the current database) becomes, under the same
/// name and in the same form, a child in the desired state: it is attached to its new
/// parent (or adopted when its table is), not built again.
pub(super) fn adopted(ctx: &Context, i: &Index) -> bool {
    !i.inherited
        && i.valid
        && ctx
            .to
            .indexes
            .get(&i.name)
            .is_some_and(|t| t.inherited && t.table == i.table && t.shape() == i.shape())
}

/// The changes of the children of hierarchies that stay (`created` holds the roots this
/// plan creates, with their children). A child is matched by its root and its table.
pub(super) fn diff(ctx: &Context, created: &BTreeSet<QualName>, out: &mut Vec<IndexChange>) {
    let before: BTreeMap<(&QualName, &QualName), &Index> = ctx
        .from
        .indexes
        .values()
        .filter(|i| i.inherited)
        .map(|i| ((root(ctx.from, i), &i.table), i))
        .collect();
    for child in ctx.to.indexes.values().filter(|i| i.inherited) {
        let top = root(ctx.to, child);
        if created.contains(top) {
            continue;
        }
        let old = before.get(&(top, &child.table)).copied().or_else(|| {
            ctx.from
                .indexes
                .get(&child.name)
                .filter(|f| adopted(ctx, f))
        });
        // A child PostgreSQL makes when its partition is created or attached in this plan
        // copies its parent's storage parameters and no statistics target.
        let parent = child.parent.as_ref().and_then(|p| ctx.to.indexes.get(p));
        let (name, options, statistics) = match old {
            Some(old) => (
                old.name.clone(),
                old.options.clone(),
                old.statistics.clone(),
            ),
            None => {
                let options = parent.map(|p| p.options.clone()).unwrap_or_default();
                if let Some(parent) = &child.parent
                    && !generated_name(&child.name.name, &child.table, &["idx"])
                {
                    out.push(IndexChange::NameChild {
                        name: child.name.clone(),
                        table: child.table.clone(),
                        parent: parent.clone(),
                        parent_object: ObjectId::Index {
                            name: parent.clone(),
                        },
                    });
                }
                (child.name.clone(), options, vec![])
            }
        };
        if name != child.name {
            out.push(IndexChange::Rename {
                from: name,
                to: child.name.clone(),
            });
        }
        if options != child.options {
            out.push(IndexChange::AlterOptions {
                index: child.name.clone(),
                from: options,
                to: child.options.clone(),
            });
        }
        if statistics != child.statistics {
            out.push(IndexChange::SetStatistics {
                index: child.name.clone(),
                from: statistics,
                to: child.statistics.clone(),
            });
        }
    }
}

/// Whether `name` looks like one PostgreSQL chooses for a partition's copy on `table`
/// (`<table>_<columns>_idx`, `<table>_pkey`, a number appended when taken; `labels` are
/// the possible last words): then the copy it makes gets it. Any other name is given by
/// `NameChild`.
fn generated_name(name: &str, table: &QualName, labels: &[&str]) -> bool {
    let prefix = format!("{}_", table.name);
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    name.starts_with(&prefix)
        && labels.iter().any(|l| {
            stem.strip_prefix(&prefix)
                .is_some_and(|rest| rest == *l || rest.ends_with(&format!("_{l}")))
        })
}

/// The names of partitions' copies of their parents' primary keys, unique and exclusion
/// constraints (which name the index behind them): renamed in place when they change,
/// named once PostgreSQL has made them for a key or a partition new in this plan, and
/// never dropped on their own.
pub(super) fn diff_keys(ctx: &Context, out: &mut Vec<IndexChange>) {
    for (table, t) in &ctx.to.tables {
        for (name, key) in &t.inherited_keys {
            let (parent_table, parent) = &key.parent;
            // The parent's key as it stands before the plan, if it stays.
            let parent_stays = ctx
                .from
                .tables
                .get(parent_table)
                .and_then(|p| p.constraints.get(parent))
                .zip(
                    ctx.to
                        .tables
                        .get(parent_table)
                        .and_then(|p| p.constraints.get(parent)),
                )
                .is_some_and(|(a, b)| a.definition == b.definition);
            let from = ctx.from.tables.get(table);
            let old = from
                .filter(|_| parent_stays)
                .and_then(|f| f.inherited_keys.values().find(|k| k.parent == key.parent));
            let adopted = from.is_some_and(|f| {
                f.constraints
                    .get(name)
                    .is_some_and(|c| c.definition == key.constraint.definition)
            });
            let at = |n: &str| QualName::new(table.schema.clone(), n);
            match old {
                Some(old) if &old.constraint.name != name => out.push(IndexChange::Rename {
                    from: at(&old.constraint.name),
                    to: at(name),
                }),
                Some(_) => {}
                None if adopted || generated_name(name, table, &["pkey", "key", "excl"]) => {}
                None => out.push(IndexChange::NameChild {
                    name: at(name),
                    table: table.clone(),
                    parent: QualName::new(parent_table.schema.clone(), parent.clone()),
                    parent_object: ObjectId::Constraint {
                        table: parent_table.clone(),
                        name: parent.clone(),
                    },
                }),
            }
        }
    }
}

/// The steps of a new index on a partitioned table: the parent `ON ONLY`, then each
/// partition's index under its own name (built CONCURRENTLY on a partition that has
/// rows), attached to its parent; the parent is valid once every partition has one.
/// `requires` is what the parent's step needs.
pub(super) fn create(ctx: &Context, index: &Index, mut requires: Vec<ObjectId>) -> Vec<Step> {
    let children = descendants(ctx.to, index);
    // Every partition exists first: one created after the parent index would get a copy
    // of it under a name PostgreSQL chooses.
    requires.extend(children.iter().map(|c| ObjectId::Table {
        name: c.table.clone(),
    }));
    let id = ObjectId::Index {
        name: index.name.clone(),
    };
    let mut out = vec![step(
        format!("{};", on_only(&index.definition)),
        &id,
        Action::Create,
        Deps {
            creates: vec![id.clone()],
            requires,
            ..Deps::default()
        },
    )];
    for child in children {
        let id = ObjectId::Index {
            name: child.name.clone(),
        };
        let parent = child.parent.as_ref().unwrap_or(&index.name);
        let attach = step(
            format!("ALTER INDEX {parent} ATTACH PARTITION {};", child.name),
            &id,
            Action::Alter,
            Deps::default(),
        );
        // A partition's index of its own, of the same form and name, is attached as it is.
        if let Some(own) = ctx
            .from
            .indexes
            .get(&child.name)
            .filter(|i| adopted(ctx, i))
        {
            out.extend(super::index::option_steps(
                &child.name,
                &own.options,
                &child.options,
            ));
            out.extend(super::index::statistics_steps(
                &child.name,
                &own.statistics,
                &child.statistics,
            ));
            out.push(attach);
            continue;
        }
        let partitioned = ctx
            .to
            .tables
            .get(&child.table)
            .is_some_and(|t| t.partition_by.is_some());
        let existing = ctx.existing(&child.table);
        let online = existing && !partitioned;
        let definition = if partitioned {
            on_only(&child.definition)
        } else {
            child.definition.clone()
        };
        let build = super::index::build_step(
            &definition,
            child,
            Deps {
                creates: vec![id.clone()],
                requires: vec![ObjectId::Table {
                    name: child.table.clone(),
                }],
                ..Deps::default()
            },
            online,
            online,
        );
        out.push(build);
        out.push(attach);
        out.extend(super::index::statistics_steps(
            &child.name,
            &[],
            &child.statistics,
        ));
    }
    out.extend(super::index::statistics_steps(
        &index.name,
        &[],
        &index.statistics,
    ));
    out
}

/// `CREATE INDEX … ON ONLY table …`: the index of the partitioned table alone.
fn on_only(definition: &str) -> String {
    definition.replacen(" ON ", " ON ONLY ", 1)
}

/// The partition indexes under `index` in `catalog`, at every level, parents before
/// their children.
pub(super) fn descendants<'a>(catalog: &'a Catalog, index: &'a Index) -> Vec<&'a Index> {
    fn walk<'a>(catalog: &'a Catalog, index: &'a Index, out: &mut Vec<&'a Index>) {
        for child in index.children(catalog) {
            out.push(child);
            walk(catalog, child, out);
        }
    }
    let mut out = Vec::new();
    walk(catalog, index, &mut out);
    out
}

/// Renames the index PostgreSQL made on `table` as a copy of `parent` to `name` (a key's
/// index: its constraint too); which name PostgreSQL chose is looked up when the step
/// runs.
pub(super) fn name_child(
    name: &QualName,
    table: &QualName,
    parent: &QualName,
    parent_object: &ObjectId,
) -> Vec<Step> {
    let id = ObjectId::Index { name: name.clone() };
    let sql = format!(
        "DO $profe$\nDECLARE\n    made regclass;\nBEGIN\n    \
         SELECT i.inhrelid::regclass INTO STRICT made FROM pg_catalog.pg_inherits i\n    \
         JOIN pg_catalog.pg_index x ON x.indexrelid = i.inhrelid\n    \
         WHERE i.inhparent = {}::regclass AND x.indrelid = {}::regclass;\n    \
         EXECUTE pg_catalog.format('ALTER INDEX %s RENAME TO %I', made, {});\nEND\n$profe$;",
        quote_literal(&parent.to_string()),
        quote_literal(&table.to_string()),
        quote_literal(&name.name),
    );
    vec![step(
        sql,
        &id,
        Action::Alter,
        Deps {
            creates: vec![id.clone()],
            requires: vec![
                ObjectId::Table {
                    name: table.clone(),
                },
                parent_object.clone(),
            ],
            after: vec![attached_mark(table)],
            ..Deps::default()
        },
    )]
}

/// `ALTER INDEX … RENAME TO …` of a child whose name changes.
pub(super) fn rename(from: &QualName, to: &QualName) -> Vec<Step> {
    let id = ObjectId::Index { name: to.clone() };
    vec![step(
        format!("ALTER INDEX {from} RENAME TO {};", quote_ident(&to.name)),
        &id,
        Action::Alter,
        Deps {
            drops: vec![ObjectId::Index { name: from.clone() }],
            creates: vec![id.clone()],
            ..Deps::default()
        },
    )]
}
