-- Product events and daily metrics; reporting views (analytics-service).
CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS 'Events, metrics and reports (analytics-service)';

CREATE TABLE analytics.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id uuid REFERENCES auth.accounts (id) ON DELETE SET NULL,
    organization_id uuid REFERENCES organizations.organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL DEFAULT now()
);
-- Append-only and time-ordered: a BRIN index is a fraction of a B-tree's size.
CREATE INDEX events_occurred_at ON analytics.events USING brin (occurred_at);
CREATE INDEX events_organization_name ON analytics.events (organization_id, name);

CREATE TABLE analytics.daily_metrics (
    organization_id uuid NOT NULL REFERENCES organizations.organizations (id) ON DELETE CASCADE,
    metric_date date NOT NULL,
    metric text NOT NULL,
    value numeric NOT NULL,
    PRIMARY KEY (organization_id, metric_date, metric)
);

-- Per course and student: enrollment status, number of results and average score.
CREATE VIEW analytics.course_progress AS
SELECT c.id AS course_id,
       s.organization_id,
       c.title AS course_title,
       e.student_account_id,
       e.status AS enrollment_status,
       count(r.id) AS results,
       round(avg(r.score), 2) AS average_score,
       max(r.assessed_at) AS last_assessed_at
FROM academic.enrollments e
JOIN academic.courses c ON c.id = e.course_id
JOIN academic.subjects s ON s.id = c.subject_id
LEFT JOIN academic.assessment_results r
       ON r.course_id = e.course_id AND r.student_account_id = e.student_account_id
GROUP BY c.id, s.organization_id, c.title, e.student_account_id, e.status;
COMMENT ON VIEW analytics.course_progress IS 'Progress per course and student';
