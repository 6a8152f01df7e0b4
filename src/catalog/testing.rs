//! Builders for small catalogs in unit tests. Values look like what the introspector reads
//! from PostgreSQL: `format_type()` type names, `pg_get_constraintdef()`,
//! `pg_get_indexdef()`, `pg_get_viewdef()` and `pg_get_functiondef()` text read with an
//! empty `search_path` (so names are schema-qualified), identifiers raw.

use super::*;

mod with;

/// The server version tests plan for unless they say otherwise (PostgreSQL 17).
pub(crate) const PG17: i32 = 170004;
/// PostgreSQL 18 (NOT NULL constraints, virtual generated columns).
pub(crate) const PG18: i32 = 180000;
/// The role that reads both catalogs.
pub(crate) const USER: &str = "profe";

/// `"app.users"` → `app.users` (no dot: in `public`).
pub(crate) fn qn(name: &str) -> QualName {
    match name.split_once('.') {
        Some((s, n)) => QualName::new(s, n),
        None => QualName::new("public", name),
    }
}

/// A scope of schema names.
pub(crate) fn scope(schemas: &[&str]) -> BTreeSet<String> {
    schemas.iter().map(|s| s.to_string()).collect()
}

/// An empty database as PostgreSQL 17 reads it (`public`, plpgsql), read by [`USER`].
pub(crate) fn db() -> Catalog {
    let mut c = Catalog::empty_database();
    c.server_version = PG17;
    c.current_user = USER.into();
    c
}

// ---- object ids ------------------------------------------------------------------------

pub(crate) fn table_id(name: &str) -> ObjectId {
    ObjectId::Table { name: qn(name) }
}

pub(crate) fn col_id(table: &str, column: &str) -> ObjectId {
    ObjectId::Column {
        table: qn(table),
        column: column.into(),
    }
}

pub(crate) fn con_id(table: &str, name: &str) -> ObjectId {
    ObjectId::Constraint {
        table: qn(table),
        name: name.into(),
    }
}

pub(crate) fn idx_id(name: &str) -> ObjectId {
    ObjectId::Index { name: qn(name) }
}

pub(crate) fn view_id(name: &str) -> ObjectId {
    ObjectId::View { name: qn(name) }
}

pub(crate) fn type_id(name: &str) -> ObjectId {
    ObjectId::Type { name: qn(name) }
}

pub(crate) fn seq_id(name: &str) -> ObjectId {
    ObjectId::Sequence { name: qn(name) }
}

pub(crate) fn fn_id(name: &str, args: &str) -> ObjectId {
    ObjectId::Function {
        name: qn(name),
        args: args.into(),
    }
}

pub(crate) fn policy_id(table: &str, name: &str) -> ObjectId {
    ObjectId::Policy {
        table: qn(table),
        name: name.into(),
    }
}

pub(crate) fn trigger_id(table: &str, name: &str) -> ObjectId {
    ObjectId::Trigger {
        table: qn(table),
        name: name.into(),
    }
}

pub(crate) fn schema_id(name: &str) -> ObjectId {
    ObjectId::Schema { name: name.into() }
}

// ---- tables and columns ----------------------------------------------------------------

pub(crate) fn col(name: &str, data_type: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        collation: None,
        not_null: false,
        not_null_constraint: None,
        default: None,
        identity: None,
        generated: None,
        statistics: None,
        storage: None,
        compression: None,
    }
}

/// The options of an identity column or sequence of `data_type` as PostgreSQL defaults
/// them (ascending from 1, cache 1, no cycle).
pub(crate) fn seq_options(data_type: &str) -> SequenceOptions {
    let max = match data_type {
        "smallint" => i16::MAX as i64,
        "integer" => i32::MAX as i64,
        _ => i64::MAX,
    };
    SequenceOptions {
        data_type: data_type.into(),
        start: 1,
        increment: 1,
        min: 1,
        max,
        cache: 1,
        cycle: false,
    }
}

impl Column {
    pub(crate) fn not_null(mut self) -> Self {
        self.not_null = true;
        self
    }

    /// NOT NULL as PostgreSQL 18 records it: a constraint with a name and a validity.
    pub(crate) fn not_null_named(mut self, name: &str, validated: bool) -> Self {
        self.not_null = true;
        self.not_null_constraint = Some(NotNull {
            name: name.into(),
            validated,
        });
        self
    }

    pub(crate) fn default_to(mut self, expr: &str) -> Self {
        self.default = Some(expr.into());
        self
    }

    pub(crate) fn collate(mut self, collation: &str) -> Self {
        self.collation = Some(Box::new(qn(collation)));
        self
    }

    /// `GENERATED ALWAYS|BY DEFAULT AS IDENTITY` (implies NOT NULL, as in PostgreSQL).
    pub(crate) fn identity(mut self, always: bool) -> Self {
        self.not_null = true;
        self.identity = Some(Box::new(Identity {
            always,
            options: seq_options(&self.data_type),
            sequence: String::new(),
        }));
        self
    }

    pub(crate) fn stored(mut self, expression: &str) -> Self {
        self.generated = Some(Box::new(Generated {
            expression: expression.into(),
            is_virtual: false,
        }));
        self
    }

    pub(crate) fn virtual_(mut self, expression: &str) -> Self {
        self.generated = Some(Box::new(Generated {
            expression: expression.into(),
            is_virtual: true,
        }));
        self
    }
}

pub(crate) fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        name: qn(name),
        columns,
        constraints: BTreeMap::new(),
        unlogged: false,
        partition_by: None,
        partition_of: None,
        inherits: Vec::new(),
        rls: false,
        force_rls: false,
        options: Vec::new(),
        replica_identity: ReplicaIdentity::Default,
        inherited_keys: BTreeMap::new(),
    }
}

impl Table {
    pub(crate) fn with(mut self, c: Constraint) -> Self {
        self.constraints.insert(c.name.clone(), c);
        self
    }

    /// `PRIMARY KEY (cols)` named `<table>_pkey`.
    pub(crate) fn pk(self, cols: &str) -> Self {
        let name = format!("{}_pkey", self.name.name);
        self.with(pk(&name, cols))
    }

    pub(crate) fn unlogged(mut self) -> Self {
        self.unlogged = true;
        self
    }

    pub(crate) fn partitioned(mut self, key: &str) -> Self {
        self.partition_by = Some(key.into());
        self
    }

    pub(crate) fn partition_of(mut self, parent: &str, bound: &str) -> Self {
        self.partition_of = Some((qn(parent), bound.into()));
        self
    }

    pub(crate) fn inherits(mut self, parent: &str) -> Self {
        self.inherits.push(qn(parent));
        self
    }

    pub(crate) fn rls(mut self, enabled: bool, forced: bool) -> Self {
        self.rls = enabled;
        self.force_rls = forced;
        self
    }

    /// Storage parameters as `reloptions` lists them (`toast.` for the TOAST table's).
    pub(crate) fn storage(mut self, options: &[&str]) -> Self {
        self.options = options.iter().map(|o| o.to_string()).collect();
        self.options.sort();
        self
    }

    pub(crate) fn replica_identity(mut self, identity: ReplicaIdentity) -> Self {
        self.replica_identity = identity;
        self
    }
}

// ---- constraints -----------------------------------------------------------------------

fn constraint(name: &str, kind: ConstraintKind, definition: String) -> Constraint {
    Constraint {
        name: name.into(),
        kind,
        definition,
        validated: true,
        references: None,
        deferrable: false,
        deferred: false,
        index_options: Vec::new(),
    }
}

pub(crate) fn pk(name: &str, cols: &str) -> Constraint {
    constraint(
        name,
        ConstraintKind::PrimaryKey,
        format!("PRIMARY KEY ({cols})"),
    )
}

pub(crate) fn unique(name: &str, cols: &str) -> Constraint {
    constraint(name, ConstraintKind::Unique, format!("UNIQUE ({cols})"))
}

/// `expr` as `pg_get_constraintdef()` prints it, parentheses included: `(qty > 0)`.
pub(crate) fn check(name: &str, expr: &str) -> Constraint {
    constraint(name, ConstraintKind::Check, format!("CHECK ({expr})"))
}

/// `FOREIGN KEY (cols) REFERENCES target(ref_cols)` plus `tail` (` ON DELETE CASCADE` …).
pub(crate) fn fk(name: &str, cols: &str, target: &str, ref_cols: &str, tail: &str) -> Constraint {
    let target = qn(target);
    let mut c = constraint(
        name,
        ConstraintKind::ForeignKey,
        format!("FOREIGN KEY ({cols}) REFERENCES {target}({ref_cols}){tail}"),
    );
    c.references = Some(target);
    c
}

pub(crate) fn exclude(name: &str, body: &str) -> Constraint {
    constraint(name, ConstraintKind::Exclude, format!("EXCLUDE {body}"))
}

impl Constraint {
    /// Added NOT VALID and not validated yet.
    pub(crate) fn not_valid(mut self) -> Self {
        self.validated = false;
        self.definition.push_str(" NOT VALID");
        self
    }

    pub(crate) fn deferrable(mut self, initially_deferred: bool) -> Self {
        self.deferrable = true;
        self.deferred = initially_deferred;
        self.definition.push_str(if initially_deferred {
            " DEFERRABLE INITIALLY DEFERRED"
        } else {
            " DEFERRABLE"
        });
        self
    }

    pub(crate) fn index_options(mut self, options: &[&str]) -> Self {
        self.index_options = options.iter().map(|o| o.to_string()).collect();
        self
    }
}

// ---- indexes ---------------------------------------------------------------------------

/// An index as `pg_get_indexdef()` prints it: `CREATE INDEX name ON table USING body`,
/// `body` being `btree (a)`, `gin (tags)` … including any INCLUDE and WHERE.
pub(crate) fn index(name: &str, table: &str, body: &str) -> Index {
    let (name, table) = (qn(name), qn(table));
    Index {
        definition: format!(
            "CREATE INDEX {} ON {table} USING {body}",
            quote_ident(&name.name)
        ),
        name,
        table,
        unique: false,
        valid: true,
        options: Vec::new(),
        inherited: false,
        parent: None,
        statistics: Vec::new(),
    }
}

pub(crate) fn unique_index(name: &str, table: &str, body: &str) -> Index {
    let mut i = index(name, table, body);
    i.unique = true;
    i.definition = i
        .definition
        .replacen("CREATE INDEX", "CREATE UNIQUE INDEX", 1);
    i
}

impl Index {
    /// Storage parameters, written into the definition where `pg_get_indexdef()` puts
    /// them (before any WHERE).
    pub(crate) fn with_options(mut self, options: &[&str]) -> Self {
        self.options = options.iter().map(|o| o.to_string()).collect();
        let with = format!(" WITH ({})", options_sql(&self.options));
        match self.definition.find(" WHERE ") {
            Some(at) => self.definition.insert_str(at, &with),
            None => self.definition.push_str(&with),
        }
        self
    }

    pub(crate) fn invalid(mut self) -> Self {
        self.valid = false;
        self
    }
}

// ---- views, functions, aggregates ------------------------------------------------------

/// `query` as `pg_get_viewdef()` prints it (` SELECT …;`).
pub(crate) fn view(name: &str, query: &str, columns: &[(&str, &str)]) -> View {
    View {
        name: qn(name),
        materialized: false,
        definition: query.into(),
        columns: columns
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
        options: Vec::new(),
        populated: true,
    }
}

pub(crate) fn matview(name: &str, query: &str, columns: &[(&str, &str)]) -> View {
    View {
        materialized: true,
        ..view(name, query, columns)
    }
}

impl View {
    pub(crate) fn with_options(mut self, options: &[&str]) -> Self {
        self.options = options.iter().map(|o| o.to_string()).collect();
        self
    }
}

/// A function as `pg_get_functiondef()` prints it. `params` is the identity argument
/// list with names (`a integer, b integer`), `arg_types` the bare types (`integer,
/// integer`); `attributes` the lines between LANGUAGE and AS (`IMMUTABLE`, …).
pub(crate) fn function(
    name: &str,
    params: &str,
    arg_types: &str,
    result: &str,
    language: &str,
    attributes: &[&str],
    body: &str,
) -> Function {
    let name = qn(name);
    let mut definition = format!(
        "CREATE OR REPLACE FUNCTION {name}({params})\n RETURNS {result}\n LANGUAGE {language}\n"
    );
    for a in attributes {
        definition.push_str(&format!(" {a}\n"));
    }
    definition.push_str(&format!("AS $function${body}$function$\n"));
    Function {
        name,
        arg_types: arg_types.into(),
        identity_args: params.into(),
        defaults: 0,
        arguments: params.into(),
        result: Some(result.into()),
        is_procedure: false,
        language: language.into(),
        definition,
    }
}

/// A procedure (no result).
pub(crate) fn procedure(name: &str, params: &str, arg_types: &str, body: &str) -> Function {
    let name = qn(name);
    Function {
        definition: format!(
            "CREATE OR REPLACE PROCEDURE {name}({params})\n LANGUAGE sql\nAS $procedure${body}$procedure$\n"
        ),
        name,
        arg_types: arg_types.into(),
        identity_args: params.into(),
        defaults: 0,
        arguments: params.into(),
        result: None,
        is_procedure: true,
        language: "sql".into(),
    }
}

/// `options`: `(KEY, value)` in CREATE AGGREGATE order, values as SQL.
pub(crate) fn aggregate(name: &str, arg_types: &str, options: &[(&str, &str)]) -> Aggregate {
    Aggregate {
        name: qn(name),
        arg_types: arg_types.into(),
        identity_args: arg_types.into(),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// A binary operator `name` (`schema.symbol`) over `left` and `right`, implemented by
/// `function`.
pub(crate) fn operator(name: &str, left: &str, right: &str, function: &str) -> Operator {
    let (schema, symbol) = name.split_once('.').expect("schema.symbol");
    Operator {
        name: QualName::new(schema.to_string(), symbol.to_string()),
        args: format!("{left}, {right}"),
        left: Some(left.into()),
        right: right.into(),
        function: function.into(),
        commutator: None,
        negator: None,
        restrict: None,
        join: None,
        hashes: false,
        merges: false,
    }
}

// ---- types, sequences ------------------------------------------------------------------

pub(crate) fn enum_type(name: &str, labels: &[&str]) -> EnumType {
    EnumType {
        name: qn(name),
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

pub(crate) fn domain(name: &str, base_type: &str) -> Domain {
    Domain {
        name: qn(name),
        base_type: base_type.into(),
        collation: None,
        default: None,
        not_null: false,
        checks: BTreeMap::new(),
    }
}

impl Domain {
    /// A CHECK as `pg_get_constraintdef()` prints it (`CHECK ((VALUE > 0))`).
    pub(crate) fn check(mut self, name: &str, definition: &str, validated: bool) -> Self {
        let def = if validated {
            definition.to_string()
        } else {
            format!("{definition} NOT VALID")
        };
        self.checks.insert(name.into(), (def, validated));
        self
    }
}

pub(crate) fn composite(name: &str, attributes: &[(&str, &str)]) -> CompositeType {
    CompositeType {
        name: qn(name),
        attributes: attributes
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string(), None))
            .collect(),
    }
}

pub(crate) fn collation(name: &str, provider: &str, locale: &str) -> Collation {
    Collation {
        name: qn(name),
        provider: provider.into(),
        locale: Some(locale.into()),
        ctype: (provider == "libc").then(|| locale.into()),
        deterministic: true,
        rules: None,
    }
}

pub(crate) fn sequence(name: &str, data_type: &str) -> Sequence {
    Sequence {
        name: qn(name),
        options: seq_options(data_type),
        owned_by: None,
    }
}

pub(crate) fn extension(name: &str, schema: &str) -> Extension {
    Extension {
        name: name.into(),
        schema: schema.into(),
        version: "1.0".into(),
        default_comment: None,
        version_pinned: false,
    }
}

// ---- triggers, policies, roles, privileges ---------------------------------------------

/// `timing_events`: `BEFORE UPDATE`, `AFTER INSERT OR DELETE` …; `function`: qualified.
pub(crate) fn trigger(table: &str, name: &str, timing_events: &str, function: &str) -> Trigger {
    let table = qn(table);
    Trigger {
        definition: format!(
            "CREATE TRIGGER {} {timing_events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            quote_ident(name)
        ),
        table,
        name: name.into(),
        enabled: "O".into(),
    }
}

/// A permissive policy for `command`, to PUBLIC, with a USING expression.
pub(crate) fn policy(table: &str, name: &str, command: &str, using: &str) -> Policy {
    Policy {
        table: qn(table),
        name: name.into(),
        command: command.into(),
        permissive: true,
        roles: vec![Grantee::Public],
        using: Some(using.into()),
        check: None,
    }
}

pub(crate) fn role(name: &str) -> Role {
    Role::new(name)
}

pub(crate) fn to_role(name: &str) -> Grantee {
    Grantee::Role(name.into())
}

/// An ACL from `(grantee, privilege, grantable)`; grantee `"owner"` and `"public"` are the
/// special ones.
pub(crate) fn acl(grants: &[(&str, &str, bool)]) -> Acl {
    grants
        .iter()
        .map(|(g, p, go)| Grant {
            grantee: match *g {
                "owner" => Grantee::Owner,
                "public" => Grantee::Public,
                r => Grantee::Role(r.into()),
            },
            privilege: p.to_string(),
            grantable: *go,
        })
        .collect()
}

/// What the owner of a table holds by default on PostgreSQL 17.
pub(crate) fn table_owner_acl() -> Acl {
    AclKind::Table.default_acl(PG17)
}
