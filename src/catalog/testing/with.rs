//! `Catalog::with_*`: a catalog built up one object at a time.

use crate::catalog::*;

impl Catalog {
    pub(crate) fn with_schema(mut self, name: &str) -> Self {
        self.schemas
            .insert(name.into(), Schema { name: name.into() });
        self
    }

    pub(crate) fn with_table(mut self, t: Table) -> Self {
        self.tables.insert(t.name.clone(), t);
        self
    }

    pub(crate) fn with_index(mut self, i: Index) -> Self {
        self.indexes.insert(i.name.clone(), i);
        self
    }

    pub(crate) fn with_view(mut self, v: View) -> Self {
        self.views.insert(v.name.clone(), v);
        self
    }

    pub(crate) fn with_function(mut self, f: Function) -> Self {
        self.functions
            .insert((f.name.clone(), f.arg_types.clone()), f);
        self
    }

    pub(crate) fn with_operator(mut self, o: Operator) -> Self {
        self.operators.insert((o.name.clone(), o.args.clone()), o);
        self
    }

    pub(crate) fn with_aggregate(mut self, a: Aggregate) -> Self {
        self.aggregates
            .insert((a.name.clone(), a.arg_types.clone()), a);
        self
    }

    pub(crate) fn with_enum(mut self, e: EnumType) -> Self {
        self.enums.insert(e.name.clone(), e);
        self
    }

    pub(crate) fn with_domain(mut self, d: Domain) -> Self {
        self.domains.insert(d.name.clone(), d);
        self
    }

    pub(crate) fn with_composite(mut self, c: CompositeType) -> Self {
        self.composites.insert(c.name.clone(), c);
        self
    }

    pub(crate) fn with_collation(mut self, c: Collation) -> Self {
        self.collations.insert(c.name.clone(), c);
        self
    }

    pub(crate) fn with_sequence(mut self, s: Sequence) -> Self {
        self.sequences.insert(s.name.clone(), s);
        self
    }

    pub(crate) fn with_extension(mut self, e: Extension) -> Self {
        self.extensions.insert(e.name.clone(), e);
        self
    }

    pub(crate) fn with_trigger(mut self, t: Trigger) -> Self {
        self.triggers.insert((t.table.clone(), t.name.clone()), t);
        self
    }

    pub(crate) fn with_policy(mut self, p: Policy) -> Self {
        self.policies.insert((p.table.clone(), p.name.clone()), p);
        self
    }

    pub(crate) fn with_role(mut self, r: Role) -> Self {
        self.roles.insert(r.name.clone(), r);
        self
    }

    pub(crate) fn with_acl(mut self, id: ObjectId, acl: Acl) -> Self {
        self.privileges.insert(id, acl);
        self
    }

    pub(crate) fn with_owner(mut self, id: ObjectId, owner: &str) -> Self {
        self.owners.insert(id, owner.into());
        self
    }

    pub(crate) fn with_default_acl(
        mut self,
        role: &str,
        schema: Option<&str>,
        kind: AclKind,
        acl: Acl,
    ) -> Self {
        let key = DefaultAclKey {
            role: role.into(),
            schema: schema.map(String::from),
            kind,
        };
        self.default_privileges.insert(key, acl);
        self
    }

    pub(crate) fn with_comment(mut self, id: ObjectId, text: &str) -> Self {
        self.comments.insert(id, text.into());
        self
    }

    /// `from` needs `to` (a `pg_depend` row).
    pub(crate) fn with_dep(mut self, from: ObjectId, to: ObjectId) -> Self {
        self.depends.entry(from).or_default().insert(to);
        self
    }

    pub(crate) fn with_version(mut self, server_version: i32) -> Self {
        self.server_version = server_version;
        self
    }
}
