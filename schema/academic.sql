-- Subjects, courses, enrollments, lessons and assessment results (academic-service).
CREATE SCHEMA academic;
COMMENT ON SCHEMA academic IS 'Teaching and assessment (academic-service)';

CREATE TYPE academic.enrollment_status AS ENUM ('active', 'completed', 'dropped');

CREATE TABLE academic.subjects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations.organizations (id) ON DELETE CASCADE,
    code text NOT NULL,
    name text NOT NULL,
    UNIQUE (organization_id, code)
);

CREATE TABLE academic.courses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subject_id uuid NOT NULL REFERENCES academic.subjects (id) ON DELETE CASCADE,
    teacher_account_id uuid NOT NULL REFERENCES auth.accounts (id),
    title text NOT NULL,
    school_year text NOT NULL CHECK (school_year ~ '^[0-9]{4}-[0-9]{4}$'),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT courses_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX courses_subject ON academic.courses (subject_id);
CREATE INDEX courses_teacher ON academic.courses (teacher_account_id);

CREATE TRIGGER courses_updated_at BEFORE UPDATE ON academic.courses
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE academic.enrollments (
    course_id uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
    student_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    status academic.enrollment_status NOT NULL DEFAULT 'active',
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_id, student_account_id)
);
CREATE INDEX enrollments_student ON academic.enrollments (student_account_id);

CREATE TABLE academic.lessons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position > 0),
    title text NOT NULL,
    content jsonb NOT NULL DEFAULT '{}',
    published_at timestamptz,
    UNIQUE (course_id, position)
);
-- Students only ever list published lessons.
CREATE INDEX lessons_published ON academic.lessons (course_id, position)
    WHERE published_at IS NOT NULL;

CREATE TABLE academic.assessment_results (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES academic.courses (id) ON DELETE CASCADE,
    lesson_id uuid REFERENCES academic.lessons (id) ON DELETE SET NULL,
    student_account_id uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    score numeric(5,2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    assessed_at timestamptz NOT NULL DEFAULT now(),
    teacher_notes text
);
CREATE INDEX assessment_results_course_student ON academic.assessment_results
    (course_id, student_account_id);
CREATE INDEX assessment_results_student ON academic.assessment_results (student_account_id);
CREATE INDEX assessment_results_lesson ON academic.assessment_results (lesson_id)
    WHERE lesson_id IS NOT NULL;
