use super::Change;
use crate::catalog::{Index, ObjectId, QualName, quote_ident};
use crate::diff::{Context, keyed};
use crate::plan::{Action, Deps, Hazard, Step, column_ids, option_statements, step};
use std::collections::BTreeMap;

/// The changes of this kind, each keeping the objects it was computed from.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum IndexChange {
    /// Storage parameters of an index (standalone or behind a constraint).
    AlterOptions {
        index: crate::catalog::QualName,
        from: Vec<String>,
        to: Vec<String>,
    },
    Create {
        index: crate::catalog::Index,
    },
    /// A changed index on a table with rows: built under a temporary name, then swapped
    /// in, so that queries never run without it.
    Replace {
        from: crate::catalog::Index,
        to: crate::catalog::Index,
    },
    Drop {
        index: crate::catalog::Index,
    },
    /// A partition's index whose name changes (a child of a partitioned index).
    Rename {
        from: crate::catalog::QualName,
        to: crate::catalog::QualName,
    },
    /// The index PostgreSQL makes for a partition created or attached in this plan (a
    /// copy of `parent`, on `table`), named `name` as the desired state names it, once
    /// `parent_object` (the parent index, or the key constraint behind it) exists.
    NameChild {
        name: crate::catalog::QualName,
        table: crate::catalog::QualName,
        parent: crate::catalog::QualName,
        parent_object: crate::catalog::ObjectId,
    },
    /// Statistics targets of the index's expression columns, set or reset in place.
    SetStatistics {
        index: crate::catalog::QualName,
        from: Vec<(i16, i32)>,
        to: Vec<(i16, i32)>,
    },
}

/// Whether a partition index copy is managed here: only once its partition is detached.
fn managed(ctx: &Context, i: &Index, desired: bool) -> bool {
    if !i.inherited {
        return true;
    }
    let detached = ctx
        .from
        .tables
        .get(&i.table)
        .is_some_and(|f| f.partition_of.is_some())
        && ctx
            .to
            .tables
            .get(&i.table)
            .is_some_and(|t| t.partition_of.is_none());
    detached && !desired
}

pub(crate) fn diff(ctx: &Context, out: &mut Vec<Change>) {
    let from: BTreeMap<QualName, Index> = ctx
        .from
        .indexes
        .iter()
        .filter(|(_, i)| managed(ctx, i, false) && !super::index_tree::adopted(ctx, i))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let to: BTreeMap<QualName, Index> = ctx
        .to
        .indexes
        .iter()
        .filter(|(_, i)| !i.inherited)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let create = |i: &Index| vec![IndexChange::Create { index: i.clone() }];
    // A dropped table takes its indexes with it.
    let drop = |i: &Index| {
        if ctx.dropped_tables.contains(&i.table) {
            vec![]
        } else {
            vec![IndexChange::Drop { index: i.clone() }]
        }
    };
    let alter = |from: &Index, to: &Index| {
        let swappable = from.valid
            && !ctx.dropped_tables.contains(&from.table)
            && [ctx.from, ctx.to].iter().all(|c| {
                c.tables
                    .get(&from.table)
                    .is_some_and(|to| to.partition_by.is_none())
            });
        if from.shape() != to.shape() && swappable {
            vec![IndexChange::Replace {
                from: from.clone(),
                to: to.clone(),
            }]
        } else if from.shape() != to.shape() || !from.valid {
            [drop(from), create(to)].concat()
        } else {
            let mut out = Vec::new();
            if from.options != to.options {
                out.push(IndexChange::AlterOptions {
                    index: to.name.clone(),
                    from: from.options.clone(),
                    to: to.options.clone(),
                });
            }
            if from.statistics != to.statistics {
                out.push(IndexChange::SetStatistics {
                    index: to.name.clone(),
                    from: from.statistics.clone(),
                    to: to.statistics.clone(),
                });
            }
            out
        }
    };
    let mut changes = Vec::new();
    keyed(&mut changes, &from, &to, create, drop, alter);
    let created = changes
        .iter()
        .filter_map(|c| match c {
            Change::Index(IndexChange::Create { index }) => Some(index.name.clone()),
            _ => None,
        })
        .collect();
    let mut children = Vec::new();
    super::index_tree::diff(ctx, &created, &mut children);
    super::index_tree::diff_keys(ctx, &mut children);
    out.extend(changes);
    out.extend(children.into_iter().map(Change::Index));
}

/// Whether the index can be built or dropped without blocking writes: its table exists
/// before the plan and stays, and is not partitioned (PostgreSQL cannot build or drop a
/// partitioned index concurrently).
fn online(ctx: &Context, index: &Index) -> bool {
    let plain = |c: &crate::catalog::Catalog| {
        c.tables
            .get(&index.table)
            .is_some_and(|t| t.partition_by.is_none())
    };
    !index.inherited && ctx.existing(&index.table) && plain(ctx.from) && plain(ctx.to)
}

/// Objects this change creates (or creates again).
pub(super) fn created(change: &IndexChange) -> Vec<ObjectId> {
    match change {
        IndexChange::Create { index } | IndexChange::Replace { to: index, .. } => {
            vec![ObjectId::Index {
                name: index.name.clone(),
            }]
        }
        IndexChange::Rename { to: name, .. } | IndexChange::NameChild { name, .. } => {
            vec![ObjectId::Index { name: name.clone() }]
        }
        _ => vec![],
    }
}

pub(super) fn steps(ctx: &Context, change: &IndexChange) -> Vec<Step> {
    match change {
        IndexChange::Create { index } => {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            let mut requires = ctx.requires(std::slice::from_ref(&id));
            requires.push(ObjectId::Table {
                name: index.table.clone(),
            });
            // Or the materialized view it is on.
            requires.push(ObjectId::View {
                name: index.table.clone(),
            });
            // Columns added or retyped in this plan come first.
            requires.extend(column_ids(ctx.to, &index.table));
            let partitioned = ctx
                .to
                .tables
                .get(&index.table)
                .is_some_and(|t| t.partition_by.is_some());
            if partitioned {
                return super::index_tree::create(ctx, index, requires);
            }
            let online = online(ctx, index);
            let s = build_step(
                &index.definition,
                index,
                Deps {
                    creates: vec![id.clone()],
                    requires,
                    ..Deps::default()
                },
                ctx.existing(&index.table),
                online,
            );
            let mut out = vec![s];
            out.extend(statistics_steps(&index.name, &[], &index.statistics));
            out
        }
        IndexChange::Drop { index } => {
            let id = ObjectId::Index {
                name: index.name.clone(),
            };
            let mut releases = ctx.releases(std::slice::from_ref(&id));
            // Before any of its columns is dropped (which would drop the index silently).
            releases.extend(column_ids(ctx.from, &index.table));
            // Only an index that goes for good: one dropped to be rebuilt around another
            // change is dropped inside that change's transaction.
            let concurrently = if online(ctx, index)
                && ctx.to.tables.contains_key(&index.table)
                && !ctx.to.indexes.contains_key(&index.name)
            {
                "CONCURRENTLY "
            } else {
                ""
            };
            // Its partitions' copies go with it: their names are free from this step on.
            let mut drops = vec![id.clone()];
            drops.extend(
                super::index_tree::descendants(ctx.from, index)
                    .into_iter()
                    .map(|c| ObjectId::Index {
                        name: c.name.clone(),
                    }),
            );
            let s = step(
                format!("DROP INDEX {concurrently}{};", index.name),
                &id,
                Action::Drop,
                Deps {
                    drops,
                    releases,
                    marks: vec![super::index_tree::dropped_mark(&index.table)],
                    ..Deps::default()
                },
            )
            .hazard(
                Hazard::IndexDropped,
                format!("queries on {} lose {id}", index.table),
            );
            if concurrently.is_empty() {
                vec![s]
            } else {
                vec![s.non_transactional()]
            }
        }
        IndexChange::Replace { from, to } => replace(ctx, from, to),
        IndexChange::SetStatistics { index, from, to } => statistics_steps(index, from, to),
        IndexChange::Rename { from, to } => super::index_tree::rename(from, to),
        IndexChange::NameChild {
            name,
            table,
            parent,
            parent_object,
        } => super::index_tree::name_child(name, table, parent, parent_object),
        IndexChange::AlterOptions { index, from, to } => option_steps(index, from, to),
    }
}

/// `ALTER INDEX … SET (…) / RESET (…)`, after a rename or naming that gives the index
/// this name.
pub(super) fn option_steps(index: &QualName, from: &[String], to: &[String]) -> Vec<Step> {
    let id = ObjectId::Index {
        name: index.clone(),
    };
    option_statements(&format!("INDEX {index}"), from, to)
        .into_iter()
        .map(|sql| {
            let requires = vec![id.clone()];
            step(
                sql,
                &id,
                Action::Alter,
                Deps {
                    requires,
                    ..Deps::default()
                },
            )
        })
        .collect()
}

/// The step that builds `index` with `definition` (its CREATE INDEX, made CONCURRENTLY
/// when `online`): long-running, and a scan of its table when that has rows (`scans`).
/// Built online, writes go on during the build, outside a transaction; a failed build
/// leaves an invalid index, which is dropped.
pub(super) fn build_step(
    definition: &str,
    index: &Index,
    deps: Deps,
    scans: bool,
    online: bool,
) -> Step {
    let id = ObjectId::Index {
        name: index.name.clone(),
    };
    let sql = if online {
        definition.replacen(" INDEX ", " INDEX CONCURRENTLY ", 1)
    } else {
        definition.to_string()
    };
    let mut s = step(format!("{sql};"), &id, Action::Create, deps)
        .hazard_if(
            scans,
            Hazard::IndexBuild,
            format!("scans {} to build {id}", index.table),
        )
        .long_running();
    if online {
        s = s.non_transactional();
        s.on_failure = crate::plan::OnFailure::drop_index(&index.name);
    }
    s
}

/// Builds the new form beside the old one under a temporary name, drops the old one and
/// renames the new one into place: queries always have an index.
fn replace(ctx: &Context, from: &Index, to: &Index) -> Vec<Step> {
    let id = ObjectId::Index {
        name: to.name.clone(),
    };
    let mut base = to.name.name.clone();
    // Identifiers are at most 63 bytes.
    while base.len() > 63 - "_profe_new".len() {
        base.pop();
    }
    let tmp = QualName::new(to.name.schema.clone(), format!("{base}_profe_new"));
    let sql = to.definition.replacen(
        &format!("INDEX {} ON ", quote_ident(&to.name.name)),
        &format!("INDEX CONCURRENTLY {} ON ", quote_ident(&tmp.name)),
        1,
    );
    let mut requires = ctx.requires(std::slice::from_ref(&id));
    requires.push(ObjectId::Table {
        name: to.table.clone(),
    });
    requires.extend(columns_in(ctx.to, to));
    let built = format!("built {id}");
    let mut build = step(
        format!("{sql};"),
        &id,
        Action::Create,
        Deps {
            requires,
            marks: vec![built.clone()],
            ..Deps::default()
        },
    )
    .hazard(
        Hazard::IndexBuild,
        format!("scans {} to build the new form of {id}", to.table),
    )
    .long_running()
    .non_transactional();
    build.on_failure = crate::plan::OnFailure::drop_index(&tmp);
    // The REPLICA IDENTITY of the table names this index: the new one takes the mark before
    // the old one goes (the rename keeps it), so that logical replication never sees the
    // table without an identity while writes go on.
    let identity = |c: &crate::catalog::Catalog, i: &Index| {
        c.tables.get(&i.table).is_some_and(|t| {
            t.replica_identity == crate::catalog::ReplicaIdentity::Index(i.name.name.clone())
        })
    };
    let mark = (identity(ctx.from, from) && identity(ctx.to, to)).then(|| {
        step(
            format!(
                "ALTER TABLE {} REPLICA IDENTITY USING INDEX {};",
                to.table,
                quote_ident(&tmp.name)
            ),
            &id,
            Action::Alter,
            Deps {
                after: vec![built.clone()],
                ..Deps::default()
            },
        )
    });
    let mut releases = ctx.releases(std::slice::from_ref(&id));
    releases.extend(columns_in(ctx.from, from));
    let drop = step(
        format!("DROP INDEX CONCURRENTLY {};", from.name),
        &id,
        Action::Drop,
        Deps {
            drops: vec![id.clone()],
            releases,
            after: vec![built],
            ..Deps::default()
        },
    )
    .non_transactional();
    let rename = step(
        format!(
            "ALTER INDEX {tmp} RENAME TO {};",
            quote_ident(&to.name.name)
        ),
        &id,
        Action::Alter,
        Deps {
            creates: vec![id.clone()],
            ..Deps::default()
        },
    );
    let mut steps = vec![build];
    steps.extend(mark);
    steps.extend([drop, rename]);
    steps.extend(statistics_steps(&to.name, &[], &to.statistics));
    steps
}

/// `ALTER INDEX … ALTER COLUMN n SET STATISTICS`: each column whose target differs, set
/// (or reset, -1) in place; a catalog change that applies from the next ANALYZE.
pub(super) fn statistics_steps(
    index: &QualName,
    from: &[(i16, i32)],
    to: &[(i16, i32)],
) -> Vec<Step> {
    let id = ObjectId::Index {
        name: index.clone(),
    };
    let target = |list: &[(i16, i32)], n: i16| list.iter().find(|(c, _)| *c == n).map(|(_, t)| *t);
    let columns: std::collections::BTreeSet<i16> = from.iter().chain(to).map(|(n, _)| *n).collect();
    columns
        .into_iter()
        .filter(|&n| target(from, n) != target(to, n))
        .map(|n| {
            let t = target(to, n).unwrap_or(-1);
            step(
                format!("ALTER INDEX {index} ALTER COLUMN {n} SET STATISTICS {t};"),
                &id,
                Action::Alter,
                Deps {
                    requires: vec![id.clone()],
                    ..Deps::default()
                },
            )
        })
        .collect()
}

/// The columns of the index's table that its definition names (PostgreSQL records an
/// index's columns against the table itself, so they are read from the text).
fn columns_in(catalog: &crate::catalog::Catalog, index: &Index) -> Vec<ObjectId> {
    let text = index
        .definition
        .split_once(" ON ")
        .map(|(_, rest)| rest)
        .unwrap_or(&index.definition);
    let word = |name: &str| {
        let q = quote_ident(name);
        text.match_indices(&q).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + q.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    column_ids(catalog, &index.table)
        .into_iter()
        .filter(|c| matches!(c, ObjectId::Column { column, .. } if word(column)))
        .collect()
}
