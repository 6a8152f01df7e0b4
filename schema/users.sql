-- Profiles, guardianships between parents and students, preferences (users-service).
CREATE SCHEMA users;
COMMENT ON SCHEMA users IS 'People behind the accounts (users-service)';

CREATE TABLE users.profiles (
    account_id uuid PRIMARY KEY REFERENCES auth.accounts (id) ON DELETE CASCADE,
    display_name text NOT NULL,
    birth_date date,
    locale text NOT NULL DEFAULT 'es-ES',
    avatar_file_id uuid REFERENCES files.objects (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX profiles_avatar ON users.profiles (avatar_file_id) WHERE avatar_file_id IS NOT NULL;

CREATE TRIGGER profiles_updated_at BEFORE UPDATE ON users.profiles
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE users.guardianships (
    parent_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    student_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    relationship text NOT NULL DEFAULT 'parent',
    PRIMARY KEY (parent_account_id, student_account_id),
    CONSTRAINT guardian_is_not_the_student CHECK (parent_account_id <> student_account_id)
);
CREATE INDEX guardianships_student ON users.guardianships (student_account_id);

CREATE TABLE users.preferences (
    account_id uuid PRIMARY KEY REFERENCES auth.accounts (id) ON DELETE CASCADE,
    settings jsonb NOT NULL DEFAULT '{}'
);
