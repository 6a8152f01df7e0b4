-- Reinforcement plans ("planes de refuerzo"), their activities and progress
-- (plans-service).
CREATE SCHEMA plans;
COMMENT ON SCHEMA plans IS 'Reinforcement plans (plans-service)';

CREATE TYPE plans.plan_status AS ENUM ('draft', 'active', 'completed', 'archived');
CREATE TYPE plans.activity_kind AS ENUM ('reading', 'exercise', 'video', 'quiz');
CREATE TYPE plans.progress_status AS ENUM ('pending', 'in_progress', 'done');

CREATE TABLE plans.reinforcement_plans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    course_id uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
    created_by uuid NOT NULL REFERENCES auth.accounts (id),
    status plans.plan_status NOT NULL DEFAULT 'draft',
    goal text NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_dates CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX reinforcement_plans_student ON plans.reinforcement_plans (student_account_id);
CREATE INDEX reinforcement_plans_course ON plans.reinforcement_plans (course_id);
-- The plans a student is working on now.
CREATE INDEX reinforcement_plans_active ON plans.reinforcement_plans (student_account_id)
    WHERE status = 'active';

CREATE TRIGGER reinforcement_plans_updated_at BEFORE UPDATE ON plans.reinforcement_plans
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE plans.plan_activities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id uuid NOT NULL REFERENCES plans.reinforcement_plans (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position > 0),
    kind plans.activity_kind NOT NULL,
    title text NOT NULL,
    due_on date,
    resource_file_id uuid REFERENCES files.objects (id) ON DELETE SET NULL,
    UNIQUE (plan_id, position)
);
CREATE INDEX plan_activities_resource ON plans.plan_activities (resource_file_id)
    WHERE resource_file_id IS NOT NULL;

CREATE TABLE plans.activity_progress (
    activity_id uuid NOT NULL REFERENCES plans.plan_activities (id) ON DELETE CASCADE,
    student_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    status plans.progress_status NOT NULL DEFAULT 'pending',
    score numeric(5,2) CHECK (score BETWEEN 0 AND 100),
    completed_at timestamptz,
    PRIMARY KEY (activity_id, student_account_id),
    CONSTRAINT done_when_completed CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
CREATE INDEX activity_progress_student ON plans.activity_progress (student_account_id);
