-- Schools, academies and tutoring centers, who belongs to them, invitations
-- (organizations-service).
CREATE SCHEMA organizations;
COMMENT ON SCHEMA organizations IS 'Organizations and their members (organizations-service)';

CREATE TYPE organizations.organization_kind AS ENUM ('school', 'academy', 'tutoring_center');

CREATE TABLE organizations.organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    kind organizations.organization_kind NOT NULL,
    country char(2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations.organizations
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE organizations.memberships (
    organization_id uuid NOT NULL REFERENCES organizations.organizations (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    role auth.app_role NOT NULL,
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, account_id, role)
);
CREATE INDEX memberships_account ON organizations.memberships (account_id);

CREATE TABLE organizations.invitations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations.organizations (id) ON DELETE CASCADE,
    email public.citext NOT NULL,
    role auth.app_role NOT NULL,
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz
);
-- Pending invitations only.
CREATE INDEX invitations_pending ON organizations.invitations (organization_id, email)
    WHERE accepted_at IS NULL;
