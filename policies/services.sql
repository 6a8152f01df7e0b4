-- Each microservice reads and writes its own schema, and reads only what it needs
-- elsewhere ("permissions verified per service"). Default privileges give a service the
-- tables its schema gains later.

GRANT USAGE ON SCHEMA auth TO auth_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.accounts, auth.account_roles, auth.sessions,
    auth.password_resets TO auth_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO auth_service;

GRANT USAGE ON SCHEMA users TO users_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON users.profiles, users.guardianships,
    users.preferences TO users_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA users
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO users_service;

GRANT USAGE ON SCHEMA organizations TO organizations_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON organizations.organizations,
    organizations.memberships, organizations.invitations TO organizations_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA organizations
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO organizations_service;

GRANT USAGE ON SCHEMA academic TO academic_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON academic.subjects, academic.courses,
    academic.enrollments, academic.lessons, academic.assessment_results TO academic_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA academic
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO academic_service;

GRANT USAGE ON SCHEMA plans TO plans_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON plans.reinforcement_plans, plans.plan_activities,
    plans.activity_progress TO plans_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA plans
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO plans_service;

GRANT USAGE ON SCHEMA chat TO chat_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON chat.sessions, chat.messages, chat.feedback
    TO chat_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA chat
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chat_service;

GRANT USAGE ON SCHEMA analytics TO analytics_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics.events, analytics.daily_metrics
    TO analytics_service;
GRANT SELECT ON analytics.course_progress TO analytics_service;
-- Whether the default privileges below reach the view depends on which is created first:
-- say what it gets whatever the order.
REVOKE INSERT, UPDATE, DELETE ON analytics.course_progress FROM analytics_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO analytics_service;

GRANT USAGE ON SCHEMA files TO files_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON files.objects, files.attachments TO files_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA files
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO files_service;

-- What services read in other schemas: who an account is (never its password hash) ...
GRANT USAGE ON SCHEMA auth TO users_service, organizations_service, academic_service;
GRANT SELECT (id, email, status) ON auth.accounts
    TO users_service, organizations_service, academic_service;
-- ... which organization, course or plan a row belongs to ...
GRANT USAGE ON SCHEMA organizations TO academic_service, analytics_service;
GRANT SELECT ON organizations.organizations, organizations.memberships TO academic_service;
GRANT SELECT ON organizations.organizations TO analytics_service;
GRANT USAGE ON SCHEMA academic TO plans_service, chat_service, analytics_service, files_service;
GRANT SELECT ON academic.courses, academic.enrollments TO plans_service;
GRANT SELECT ON academic.courses TO chat_service;
GRANT SELECT ON academic.subjects, academic.courses, academic.enrollments,
    academic.assessment_results TO analytics_service;
GRANT SELECT ON academic.lessons TO files_service;
GRANT USAGE ON SCHEMA plans TO chat_service, files_service;
GRANT SELECT ON plans.reinforcement_plans TO chat_service;
GRANT SELECT ON plans.plan_activities TO files_service;
-- ... and what a file is attached to.
GRANT USAGE ON SCHEMA chat TO files_service;
GRANT SELECT ON chat.messages TO files_service;
