//! The desired state: SQL files read, parsed with pg_query (nothing runs when a file does
//! not parse), ordered by what each statement creates and references, then loaded into a
//! scratch database on the shadow server and read back like any database.

mod analyze;
mod body;
mod check;
mod files;
pub(crate) mod load;
mod locations;
mod newer;
mod objects;
mod order;
mod parse;
mod renames;
mod roles;
mod run;
mod schedule;

pub use body::{BodyReferences, body_references};
pub use files::{SourceFile, line_col, read_files};
pub use load::Shadow;
pub use locations::{Facet, SourceMap};
pub use parse::parse_file;
pub use roles::DesiredRoles;
pub use run::{load_into, load_over, more_connections};
pub use schedule::Schedule;

use crate::error::Result;
use analyze::Name;
use std::path::PathBuf;

/// One statement of the desired state, with where it came from.
#[derive(Debug, Clone)]
pub struct Statement {
    pub path: PathBuf,
    /// Byte offset of the statement's first character in its file.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub sql: String,
    /// The `search_path` in effect at this point of its file (`None`: the default).
    pub search_path: Option<Vec<String>>,
    creates: Vec<Name>,
    references: Vec<Name>,
    /// `DROP … IF EXISTS` or `ALTER TABLE IF EXISTS`: keeps its file order against the
    /// statements that create what it names.
    teardown: bool,
    /// What it touches, for loading over several connections ([`Schedule`]).
    access: schedule::Access,
}

/// Parsed and ordered statements, ready to load.
#[derive(Debug, Clone)]
pub struct DesiredState {
    pub files: Vec<SourceFile>,
    pub statements: Vec<Statement>,
    pub roles: DesiredRoles,
    /// `-- @renamed from` annotations.
    pub renames: Vec<crate::catalog::Rename>,
    /// `-- @using` annotations: the expression that converts a column's values when its
    /// type changes.
    pub usings: Vec<(crate::catalog::ObjectId, String)>,
    /// Extensions whose version the files name (`VERSION`, `UPDATE TO`).
    pub pinned_extensions: std::collections::BTreeSet<String>,
    /// Where each object is written.
    pub locations: SourceMap,
    /// Which statements may be loaded at the same time.
    pub schedule: Schedule,
}

impl DesiredState {
    /// Reads and parses the files at `paths` and orders their statements.
    /// No `.sql` file at all is an error: most likely a wrong folder, which would
    /// otherwise pass for "no changes" (nothing in scope), or plan to drop every object of
    /// a service's configured schemas. `empty` says that on purpose.
    pub fn read(paths: &[PathBuf]) -> Result<DesiredState> {
        let files = read_files(paths)?;
        if files.is_empty() {
            return Err(no_sql_files(paths));
        }
        Self::from_files(files)
    }

    pub fn from_files(files: Vec<SourceFile>) -> Result<DesiredState> {
        let mut statements = Vec::new();
        let mut roles = DesiredRoles::default();
        let mut renames = Vec::new();
        let mut usings = Vec::new();
        let mut pinned_extensions = std::collections::BTreeSet::new();
        let mut locations = SourceMap::default();
        for file in &files {
            let marks = renames::annotations(&file.text);
            let using_marks = renames::using_annotations(&file.text);
            let lines = files::LineIndex::new(&file.text);
            let mut previous_end = 0usize;
            let mut search_path: Option<Vec<String>> = None;
            for parsed in parse::parse_statements(file)? {
                let (base, len, parsed) = parsed?;
                for raw in &parsed.protobuf.stmts {
                    let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else {
                        continue;
                    };
                    let location = base + raw.stmt_location.max(0) as usize;
                    let start = files::skip_trivia(&file.text, location);
                    let end = if raw.stmt_len == 0 {
                        base + len
                    } else {
                        location + raw.stmt_len as usize
                    };
                    let at = || {
                        let (line, column) = lines.line_col(start);
                        format!("{}:{line}:{column}", file.path.display())
                    };
                    // The annotations between the previous statement and this one's end.
                    let own = |all: &[(usize, bool, String)]| -> Vec<(usize, bool, String)> {
                        all.iter()
                            .filter(|(m, _, _)| *m >= previous_end && *m < end.max(start))
                            .cloned()
                            .collect()
                    };
                    let (mine, mine_using) = (own(&marks), own(&using_marks));
                    previous_end = end.max(start);
                    let schema = || {
                        search_path
                            .as_ref()
                            .and_then(|p| p.first().cloned())
                            .unwrap_or_else(|| "public".into())
                    };
                    let span = (start, end.max(start), base);
                    let unsupported =
                        |e: String| crate::Error::Unsupported(format!("{}: {e}", at()));
                    let place = locations::At {
                        path: &file.path,
                        lines: &lines,
                        base,
                        start,
                        schema: &schema(),
                    };
                    locations.record(node, &place);
                    if !mine_using.is_empty() {
                        usings.extend(
                            renames::usings(node, span, &mine_using, &schema())
                                .map_err(unsupported)?,
                        );
                    }
                    if !mine.is_empty() {
                        renames.extend(
                            renames::renames(node, &file.text, span, &mine, &schema())
                                .map_err(unsupported)?,
                        );
                    }
                    if roles::is_role_statement(node) {
                        roles
                            .apply(node)
                            .map_err(|e| crate::Error::Unsupported(format!("{}: {e}", at())))?;
                        continue;
                    }
                    if check::data_statement(node) {
                        tracing::warn!(
                            "{}: a data statement is skipped: the desired state is the schema \
                             (data belongs in seeds/)",
                            at()
                        );
                        continue;
                    }
                    if let Some(reason) = check::unmanaged(node) {
                        return Err(crate::Error::Unsupported(format!("{}: {reason}", at())));
                    }
                    if let Some(name) = pinned_extension(node) {
                        pinned_extensions.insert(name);
                    }
                    // The loader runs the files in one transaction of its own.
                    if matches!(node, pg_query::NodeEnum::TransactionStmt(_)) {
                        continue;
                    }
                    let tree = serde_json::to_value(node).unwrap_or_default();
                    roles.mention_in(node, &tree);
                    let analysis = analyze::analyze(node, &tree);
                    if let Some(path) = analysis.sets_search_path.clone() {
                        search_path = path;
                    }
                    let (line, column) = lines.line_col(start);
                    let access = schedule::access(node, &analysis, &search_path);
                    statements.push(Statement {
                        path: file.path.clone(),
                        offset: start,
                        line,
                        column,
                        sql: file.text[start..end.max(start)].to_string(),
                        search_path: search_path.clone(),
                        creates: analysis.creates,
                        references: analysis.references,
                        teardown: analysis.teardown,
                        access,
                    });
                }
            }
        }
        let mut statements = order::order(statements)?;
        let schedule = Schedule::of(&statements);
        // What each statement creates and references only served the ordering: at 10,000
        // tables it is tens of megabytes that would otherwise live through the load.
        for s in &mut statements {
            s.creates = Vec::new();
            s.references = Vec::new();
            s.access = Default::default();
        }
        Ok(DesiredState {
            files,
            statements,
            roles,
            renames,
            usings,
            pinned_extensions,
            locations,
            schedule,
        })
    }
}

/// The extension whose version a statement names: `CREATE EXTENSION … VERSION 'v'` or
/// `ALTER EXTENSION … UPDATE TO 'v'`.
fn pinned_extension(node: &pg_query::NodeEnum) -> Option<String> {
    use pg_query::NodeEnum;
    let (name, options) = match node {
        NodeEnum::CreateExtensionStmt(s) => (&s.extname, &s.options),
        NodeEnum::AlterExtensionStmt(s) => (&s.extname, &s.options),
        _ => return None,
    };
    options
        .iter()
        .any(|o| matches!(&o.node, Some(NodeEnum::DefElem(d)) if d.defname == "new_version"))
        .then(|| name.clone())
}

fn no_sql_files(paths: &[PathBuf]) -> crate::Error {
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let seeds = if paths.iter().any(|p| p.join("seeds").is_dir()) {
        " (seeds/ holds data, not schema)"
    } else {
        ""
    };
    crate::Error::NoDesiredState(format!(
        "no .sql files in {}{seeds}; pass `empty` to mean no objects",
        list.join(", ")
    ))
}
