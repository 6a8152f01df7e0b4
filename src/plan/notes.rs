use crate::diff::Change;
use crate::diff::{ColumnChange, TableChange};

/// A table or column dropped while another of the same shape is created beside it is
/// probably a rename, which would keep the data: say so.
pub(super) fn probable_renames(changes: &[Change]) -> Vec<String> {
    let shape = |t: &crate::catalog::Table| -> Vec<(String, String)> {
        t.columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect()
    };
    // A table dropped and created again under its name (a new partitioning) is no rename.
    let created: std::collections::BTreeSet<&crate::catalog::QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Table(TableChange::Create { table }) => Some(&table.name),
            _ => None,
        })
        .collect();
    let dropped: std::collections::BTreeSet<&crate::catalog::QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Table(TableChange::Drop { table }) => Some(&table.name),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for c in changes {
        match c {
            Change::Table(TableChange::Drop { table: gone }) if !created.contains(&gone.name) => {
                for c in changes {
                    if let Change::Table(TableChange::Create { table: new }) = c
                        && new.name.schema == gone.name.schema
                        && !dropped.contains(&new.name)
                        && shape(new) == shape(gone)
                    {
                        out.push(format!(
                            "table {} is dropped and {} created with the same columns: if it is a rename, write `-- @renamed from {}` above its CREATE TABLE to keep the rows",
                            gone.name,
                            new.name,
                            crate::catalog::quote_ident(&gone.name.name)
                        ));
                    }
                }
            }
            Change::Column(ColumnChange::Drop {
                table,
                column: gone,
            }) => {
                for c in changes {
                    if let Change::Column(ColumnChange::Add {
                        table: t,
                        column: new,
                    }) = c
                        && t == table
                        && new.name != gone.name
                        && new.data_type == gone.data_type
                    {
                        out.push(format!(
                            "column {}.{} is dropped and {} added with the same type: if it is a rename, write `-- @renamed from {}` beside it to keep the values",
                            table,
                            crate::catalog::quote_ident(&gone.name),
                            crate::catalog::quote_ident(&new.name),
                            crate::catalog::quote_ident(&gone.name)
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
