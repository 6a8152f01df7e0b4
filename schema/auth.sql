-- Accounts, their platform roles, sessions and password resets (auth-service).
CREATE SCHEMA auth;
COMMENT ON SCHEMA auth IS 'Accounts and authentication (auth-service)';

CREATE TYPE auth.account_status AS ENUM ('active', 'suspended', 'deleted');
CREATE TYPE auth.app_role AS ENUM ('admin', 'teacher', 'student', 'parent');

CREATE TABLE auth.accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email public.citext NOT NULL UNIQUE,
    password_hash text NOT NULL,
    status auth.account_status NOT NULL DEFAULT 'active',
    last_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE auth.accounts IS 'One row per person who can sign in';

CREATE TRIGGER accounts_updated_at BEFORE UPDATE ON auth.accounts
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE auth.account_roles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    role auth.app_role NOT NULL,
    -- NULL for platform-wide roles.
    organization_id uuid REFERENCES organizations.organizations (id) ON DELETE CASCADE
);
-- One row per account, role and organization, platform-wide roles (NULL) included.
CREATE UNIQUE INDEX account_roles_unique ON auth.account_roles
    (account_id, role, COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX account_roles_organization ON auth.account_roles (organization_id)
    WHERE organization_id IS NOT NULL;

CREATE TABLE auth.sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    ip inet,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (expires_at > created_at)
);
-- Only live sessions are looked up by account.
CREATE INDEX sessions_active_account ON auth.sessions (account_id, expires_at)
    WHERE revoked_at IS NULL;

CREATE TABLE auth.password_resets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_resets_account ON auth.password_resets (account_id);

-- Who is asking: the application sets it per transaction with
-- set_config('app.account_id', '<uuid>', true).
CREATE FUNCTION auth.current_account_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.account_id', true), '')::uuid $$;
COMMENT ON FUNCTION auth.current_account_id() IS 'The account the application acts for';
