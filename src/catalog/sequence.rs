use super::QualName;
use serde::{Deserialize, Serialize};

/// Sequence parameters, shared by standalone sequences and identity columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl SequenceOptions {
    fn type_bounds(data_type: &str) -> (i64, i64) {
        match data_type {
            "smallint" => (i16::MIN as i64, i16::MAX as i64),
            "integer" => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        }
    }

    /// The options that differ from what PostgreSQL would choose by default, as SQL
    /// clauses: `AS` is left out, callers decide whether the type must be spelled.
    pub fn non_default_clauses(&self) -> Vec<String> {
        let (tmin, tmax) = Self::type_bounds(&self.data_type);
        let (dmin, dmax) = if self.increment > 0 {
            (1, tmax)
        } else {
            (tmin, -1)
        };
        let dstart = if self.increment > 0 {
            self.min
        } else {
            self.max
        };
        let mut out = Vec::new();
        if self.increment != 1 {
            out.push(format!("INCREMENT BY {}", self.increment));
        }
        if self.min != dmin {
            out.push(format!("MINVALUE {}", self.min));
        }
        if self.max != dmax {
            out.push(format!("MAXVALUE {}", self.max));
        }
        if self.start != dstart {
            out.push(format!("START WITH {}", self.start));
        }
        if self.cache != 1 {
            out.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            out.push("CYCLE".into());
        }
        out
    }

    /// Every clause, for `ALTER SEQUENCE` where the old values must be overwritten.
    pub fn all_clauses(&self) -> Vec<String> {
        vec![
            format!("AS {}", self.data_type),
            format!("INCREMENT BY {}", self.increment),
            format!("MINVALUE {}", self.min),
            format!("MAXVALUE {}", self.max),
            format!("START WITH {}", self.start),
            format!("CACHE {}", self.cache),
            if self.cycle { "CYCLE" } else { "NO CYCLE" }.into(),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: QualName,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualName, String)>,
}
