-- The tutoring chat: sessions, messages and feedback on answers (chat-service).
CREATE SCHEMA chat;
COMMENT ON SCHEMA chat IS 'Tutoring chat (chat-service)';

CREATE TYPE chat.sender AS ENUM ('student', 'tutor', 'system');

CREATE TABLE chat.sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    course_id uuid REFERENCES academic.courses (id) ON DELETE SET NULL,
    plan_id uuid REFERENCES plans.reinforcement_plans (id) ON DELETE SET NULL,
    topic text,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX sessions_account ON chat.sessions (account_id, started_at DESC);
CREATE INDEX sessions_course ON chat.sessions (course_id) WHERE course_id IS NOT NULL;
CREATE INDEX sessions_plan ON chat.sessions (plan_id) WHERE plan_id IS NOT NULL;

CREATE TABLE chat.messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES chat.sessions (id) ON DELETE CASCADE,
    sender chat.sender NOT NULL,
    body text NOT NULL,
    token_count integer NOT NULL DEFAULT 0 CHECK (token_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_session_created ON chat.messages (session_id, created_at);

CREATE TABLE chat.feedback (
    message_id bigint NOT NULL REFERENCES chat.messages (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text,
    PRIMARY KEY (message_id, account_id)
);
CREATE INDEX feedback_account ON chat.feedback (account_id);
