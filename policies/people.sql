-- What the platform's group roles may do; row level security (per schema, in the
-- files beside this one) decides which rows.

GRANT USAGE ON SCHEMA auth, users, organizations, academic, plans, chat, files
    TO profe_admin, profe_teacher, profe_student, profe_parent;

-- Who an account is, never its password hash.
GRANT SELECT (id, email, status) ON auth.accounts
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT SELECT, UPDATE ON auth.sessions
    TO profe_admin, profe_teacher, profe_student, profe_parent;

GRANT SELECT, UPDATE ON users.profiles
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT SELECT ON users.guardianships TO profe_admin, profe_student, profe_parent;

-- The course catalogue is readable by everyone on the platform.
GRANT SELECT ON academic.subjects, academic.courses, academic.lessons
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT SELECT ON academic.enrollments, academic.assessment_results
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT INSERT, UPDATE, DELETE ON academic.enrollments, academic.assessment_results
    TO profe_admin, profe_teacher;

GRANT SELECT ON plans.reinforcement_plans, plans.plan_activities, plans.activity_progress
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT INSERT, UPDATE, DELETE ON plans.reinforcement_plans, plans.plan_activities
    TO profe_admin, profe_teacher;
GRANT INSERT, UPDATE ON plans.activity_progress TO profe_student;

GRANT SELECT ON chat.sessions, chat.messages, chat.feedback
    TO profe_admin, profe_teacher, profe_student, profe_parent;
GRANT INSERT, UPDATE ON chat.sessions TO profe_student;
GRANT INSERT ON chat.messages TO profe_student;
GRANT INSERT, UPDATE, DELETE ON chat.feedback TO profe_student;

GRANT SELECT, INSERT, UPDATE ON files.objects
    TO profe_admin, profe_teacher, profe_student, profe_parent;
