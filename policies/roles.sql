-- The platform's group roles (what a person may do) and one role per microservice
-- (what a service may touch). None can log in: login users are granted these roles
-- outside the repository, with their passwords.
CREATE ROLE profe_admin NOLOGIN;
CREATE ROLE profe_teacher NOLOGIN;
CREATE ROLE profe_student NOLOGIN;
CREATE ROLE profe_parent NOLOGIN;

-- Services check permissions themselves and act on all rows of their own schema.
CREATE ROLE auth_service NOLOGIN BYPASSRLS;
CREATE ROLE users_service NOLOGIN BYPASSRLS;
CREATE ROLE organizations_service NOLOGIN BYPASSRLS;
CREATE ROLE academic_service NOLOGIN BYPASSRLS;
CREATE ROLE plans_service NOLOGIN BYPASSRLS;
CREATE ROLE chat_service NOLOGIN BYPASSRLS;
CREATE ROLE analytics_service NOLOGIN BYPASSRLS;
CREATE ROLE files_service NOLOGIN BYPASSRLS;
