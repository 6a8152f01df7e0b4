-- Stored files and what they are attached to (files-service).
CREATE SCHEMA files;
COMMENT ON SCHEMA files IS 'Uploaded files (files-service)';

CREATE TABLE files.objects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_account_id uuid NOT NULL REFERENCES auth.accounts (id),
    organization_id uuid REFERENCES organizations.organizations (id),
    bucket text NOT NULL,
    storage_key text NOT NULL UNIQUE,
    content_type text NOT NULL,
    byte_size bigint NOT NULL CHECK (byte_size >= 0),
    sha256 bytea CHECK (octet_length(sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
-- Files that still exist, by owner.
CREATE INDEX objects_owner_live ON files.objects (owner_account_id) WHERE deleted_at IS NULL;
CREATE INDEX objects_organization ON files.objects (organization_id);

CREATE TABLE files.attachments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    file_id uuid NOT NULL REFERENCES files.objects (id) ON DELETE CASCADE,
    lesson_id uuid REFERENCES academic.lessons (id) ON DELETE CASCADE,
    plan_activity_id uuid REFERENCES plans.plan_activities (id) ON DELETE CASCADE,
    chat_message_id bigint REFERENCES chat.messages (id) ON DELETE CASCADE,
    CONSTRAINT attached_to_exactly_one
        CHECK (num_nonnulls(lesson_id, plan_activity_id, chat_message_id) = 1)
);
CREATE INDEX attachments_file ON files.attachments (file_id);
CREATE INDEX attachments_lesson ON files.attachments (lesson_id) WHERE lesson_id IS NOT NULL;
CREATE INDEX attachments_activity ON files.attachments (plan_activity_id)
    WHERE plan_activity_id IS NOT NULL;
CREATE INDEX attachments_message ON files.attachments (chat_message_id)
    WHERE chat_message_id IS NOT NULL;
