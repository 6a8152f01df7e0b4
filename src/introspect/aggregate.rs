use crate::catalog::{Aggregate, Catalog, QualName};
use tokio_postgres::Row;

fn modify(code: Option<String>) -> Option<String> {
    match code.as_deref() {
        Some("s") => Some("SHAREABLE".into()),
        Some("w") => Some("READ_WRITE".into()),
        // READ_ONLY is the default for plain aggregates.
        _ => None,
    }
}

pub(super) fn read(catalog: &mut Catalog, rows: &[Row]) {
    for row in rows {
        let name = QualName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let arg_types: String = row.get(2);
        let mut o = Vec::new();
        let s = |i: usize| row.get::<_, Option<String>>(i);
        Aggregate::option(&mut o, "SFUNC", s(4), false);
        Aggregate::option(&mut o, "STYPE", s(5), false);
        let space: i32 = row.get(6);
        Aggregate::option(
            &mut o,
            "SSPACE",
            (space != 0).then(|| space.to_string()),
            false,
        );
        Aggregate::option(&mut o, "FINALFUNC", s(7), false);
        if row.get::<_, bool>(8) {
            o.push(("FINALFUNC_EXTRA".into(), "true".into()));
        }
        if s(7).is_some() {
            Aggregate::option(&mut o, "FINALFUNC_MODIFY", modify(s(9)), false);
        }
        Aggregate::option(&mut o, "COMBINEFUNC", s(10), false);
        Aggregate::option(&mut o, "SERIALFUNC", s(11), false);
        Aggregate::option(&mut o, "DESERIALFUNC", s(12), false);
        Aggregate::option(&mut o, "INITCOND", s(13), true);
        Aggregate::option(&mut o, "MSFUNC", s(14), false);
        Aggregate::option(&mut o, "MINVFUNC", s(15), false);
        Aggregate::option(&mut o, "MSTYPE", s(16), false);
        Aggregate::option(&mut o, "MFINALFUNC", s(17), false);
        if row.get::<_, bool>(18) {
            o.push(("MFINALFUNC_EXTRA".into(), "true".into()));
        }
        if s(17).is_some() {
            Aggregate::option(&mut o, "MFINALFUNC_MODIFY", modify(s(19)), false);
        }
        Aggregate::option(&mut o, "MINITCOND", s(20), true);
        Aggregate::option(
            &mut o,
            "SORTOP",
            s(21).map(|op| format!("OPERATOR({op})")),
            false,
        );
        let parallel = match s(22).as_deref() {
            Some("s") => Some("SAFE".to_string()),
            Some("r") => Some("RESTRICTED".to_string()),
            _ => None,
        };
        Aggregate::option(&mut o, "PARALLEL", parallel, false);
        catalog.aggregates.insert(
            (name.clone(), arg_types.clone()),
            Aggregate {
                name,
                arg_types,
                identity_args: row.get(3),
                options: o,
            },
        );
    }
}
