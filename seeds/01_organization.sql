-- The demo organization and its people. Idempotent: fixed ids, and ON CONFLICT either
-- leaves an existing row alone or updates it only where it differs (so a second run
-- writes nothing and fires no updated_at trigger).
INSERT INTO organizations.organizations (id, name, slug, kind, country)
VALUES ('00000000-0000-4000-8000-000000000001', 'Colegio Demo Profe', 'colegio-demo', 'school', 'ES')
ON CONFLICT (id) DO UPDATE
    SET name = EXCLUDED.name, slug = EXCLUDED.slug, kind = EXCLUDED.kind,
        country = EXCLUDED.country
    WHERE (organizations.name, organizations.slug, organizations.kind, organizations.country)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.slug, EXCLUDED.kind, EXCLUDED.country);

-- Not a real password hash: demo accounts cannot sign in until a password is set.
INSERT INTO auth.accounts (id, email, password_hash) VALUES
    ('00000000-0000-4000-8000-000000000101', 'admin@colegio-demo.example', '!demo'),
    ('00000000-0000-4000-8000-000000000102', 'teacher@colegio-demo.example', '!demo'),
    ('00000000-0000-4000-8000-000000000103', 'lucia@colegio-demo.example', '!demo'),
    ('00000000-0000-4000-8000-000000000104', 'mateo@colegio-demo.example', '!demo'),
    ('00000000-0000-4000-8000-000000000105', 'parent@colegio-demo.example', '!demo')
ON CONFLICT (id) DO NOTHING;

INSERT INTO auth.account_roles (id, account_id, role, organization_id) VALUES
    ('00000000-0000-4000-8000-000000000201', '00000000-0000-4000-8000-000000000101', 'admin', '00000000-0000-4000-8000-000000000001'),
    ('00000000-0000-4000-8000-000000000202', '00000000-0000-4000-8000-000000000102', 'teacher', '00000000-0000-4000-8000-000000000001'),
    ('00000000-0000-4000-8000-000000000203', '00000000-0000-4000-8000-000000000103', 'student', '00000000-0000-4000-8000-000000000001'),
    ('00000000-0000-4000-8000-000000000204', '00000000-0000-4000-8000-000000000104', 'student', '00000000-0000-4000-8000-000000000001'),
    ('00000000-0000-4000-8000-000000000205', '00000000-0000-4000-8000-000000000105', 'parent', '00000000-0000-4000-8000-000000000001')
ON CONFLICT (id) DO NOTHING;

INSERT INTO organizations.memberships (organization_id, account_id, role)
SELECT organization_id, account_id, role FROM auth.account_roles
WHERE organization_id = '00000000-0000-4000-8000-000000000001'
ON CONFLICT (organization_id, account_id, role) DO NOTHING;

INSERT INTO users.profiles (account_id, display_name, birth_date) VALUES
    ('00000000-0000-4000-8000-000000000101', 'Ana Directora', NULL),
    ('00000000-0000-4000-8000-000000000102', 'Pablo Profesor', NULL),
    ('00000000-0000-4000-8000-000000000103', 'Lucía Alumna', '2013-03-14'),
    ('00000000-0000-4000-8000-000000000104', 'Mateo Alumno', '2013-09-02'),
    ('00000000-0000-4000-8000-000000000105', 'Carmen Madre', NULL)
ON CONFLICT (account_id) DO NOTHING;

INSERT INTO users.guardianships (parent_account_id, student_account_id, relationship)
VALUES ('00000000-0000-4000-8000-000000000105', '00000000-0000-4000-8000-000000000103', 'mother')
ON CONFLICT (parent_account_id, student_account_id) DO NOTHING;
