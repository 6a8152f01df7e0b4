-- Row level security on every table holding personal or academic data. The rules:
-- a student sees their own rows; a parent reads their children's rows and writes none;
-- a teacher sees the rows of the courses they teach; an admin those of the organizations
-- they administer. Nobody sees another organization's rows. Services bypass RLS.

-- auth.sessions: everyone their own sessions only; forced, so that even the owner (a
-- non-superuser migration role) obeys.
ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY own_sessions ON auth.sessions
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (account_id = auth.current_account_id())
    WITH CHECK (account_id = auth.current_account_id());

-- users.profiles
ALTER TABLE users.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_profile ON users.profiles
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (account_id = auth.current_account_id())
    WITH CHECK (account_id = auth.current_account_id());
CREATE POLICY teacher_reads_students ON users.profiles FOR SELECT TO profe_teacher
    USING (academic.teaches_student(account_id));
CREATE POLICY parent_reads_children ON users.profiles FOR SELECT TO profe_parent
    USING (users.guards(account_id));
CREATE POLICY admin_reads_members ON users.profiles FOR SELECT TO profe_admin
    USING (organizations.administers_account(account_id));

-- users.guardianships
ALTER TABLE users.guardianships ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_guardianships ON users.guardianships FOR SELECT
    TO profe_student, profe_parent
    USING (auth.current_account_id() IN (parent_account_id, student_account_id));
CREATE POLICY admin_reads_guardianships ON users.guardianships FOR SELECT TO profe_admin
    USING (organizations.administers_account(student_account_id));

-- academic.enrollments and academic.assessment_results: the same four rules.
ALTER TABLE academic.enrollments ENABLE ROW LEVEL SECURITY;
CREATE POLICY student_own ON academic.enrollments FOR SELECT TO profe_student
    USING (student_account_id = auth.current_account_id());
CREATE POLICY parent_children ON academic.enrollments FOR SELECT TO profe_parent
    USING (users.guards(student_account_id));
CREATE POLICY teacher_courses ON academic.enrollments TO profe_teacher
    USING (academic.teaches(course_id)) WITH CHECK (academic.teaches(course_id));
CREATE POLICY admin_organization ON academic.enrollments TO profe_admin
    USING (organizations.administers(academic.course_organization(course_id)))
    WITH CHECK (organizations.administers(academic.course_organization(course_id)));

ALTER TABLE academic.assessment_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY student_own ON academic.assessment_results FOR SELECT TO profe_student
    USING (student_account_id = auth.current_account_id());
CREATE POLICY parent_children ON academic.assessment_results FOR SELECT TO profe_parent
    USING (users.guards(student_account_id));
CREATE POLICY teacher_courses ON academic.assessment_results TO profe_teacher
    USING (academic.teaches(course_id)) WITH CHECK (academic.teaches(course_id));
CREATE POLICY admin_organization ON academic.assessment_results TO profe_admin
    USING (organizations.administers(academic.course_organization(course_id)))
    WITH CHECK (organizations.administers(academic.course_organization(course_id)));

-- plans: a plan is visible by the four rules; its activities and progress when the plan
-- is (the subqueries run under the plan's own policies).
ALTER TABLE plans.reinforcement_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY student_own ON plans.reinforcement_plans FOR SELECT TO profe_student
    USING (student_account_id = auth.current_account_id());
CREATE POLICY parent_children ON plans.reinforcement_plans FOR SELECT TO profe_parent
    USING (users.guards(student_account_id));
CREATE POLICY teacher_courses ON plans.reinforcement_plans TO profe_teacher
    USING (academic.teaches(course_id)) WITH CHECK (academic.teaches(course_id));
CREATE POLICY admin_organization ON plans.reinforcement_plans TO profe_admin
    USING (organizations.administers(academic.course_organization(course_id)))
    WITH CHECK (organizations.administers(academic.course_organization(course_id)));

ALTER TABLE plans.plan_activities ENABLE ROW LEVEL SECURITY;
CREATE POLICY plan_visible ON plans.plan_activities FOR SELECT
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (EXISTS (SELECT 1 FROM plans.reinforcement_plans p WHERE p.id = plan_id));
CREATE POLICY staff_write ON plans.plan_activities TO profe_admin, profe_teacher
    USING (EXISTS (SELECT 1 FROM plans.reinforcement_plans p WHERE p.id = plan_id))
    WITH CHECK (EXISTS (SELECT 1 FROM plans.reinforcement_plans p WHERE p.id = plan_id));

ALTER TABLE plans.activity_progress ENABLE ROW LEVEL SECURITY;
CREATE POLICY activity_visible ON plans.activity_progress FOR SELECT
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (EXISTS (SELECT 1 FROM plans.plan_activities a WHERE a.id = activity_id));
CREATE POLICY student_records ON plans.activity_progress TO profe_student
    USING (student_account_id = auth.current_account_id())
    WITH CHECK (student_account_id = auth.current_account_id()
                AND EXISTS (SELECT 1 FROM plans.plan_activities a WHERE a.id = activity_id));

-- chat: a student's own sessions; parents, teachers of the course and admins read.
ALTER TABLE chat.sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY student_own ON chat.sessions TO profe_student
    USING (account_id = auth.current_account_id())
    WITH CHECK (account_id = auth.current_account_id());
CREATE POLICY parent_children ON chat.sessions FOR SELECT TO profe_parent
    USING (users.guards(account_id));
CREATE POLICY teacher_courses ON chat.sessions FOR SELECT TO profe_teacher
    USING (course_id IS NOT NULL AND academic.teaches(course_id));
CREATE POLICY admin_members ON chat.sessions FOR SELECT TO profe_admin
    USING (organizations.administers_account(account_id));

ALTER TABLE chat.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY session_visible ON chat.messages FOR SELECT
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (EXISTS (SELECT 1 FROM chat.sessions s WHERE s.id = session_id));
CREATE POLICY student_writes ON chat.messages FOR INSERT TO profe_student
    WITH CHECK (sender = 'student' AND EXISTS (
        SELECT 1 FROM chat.sessions s
        WHERE s.id = session_id AND s.account_id = auth.current_account_id()));

ALTER TABLE chat.feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_visible ON chat.feedback FOR SELECT
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (EXISTS (SELECT 1 FROM chat.messages m WHERE m.id = message_id));
CREATE POLICY student_own ON chat.feedback TO profe_student
    USING (account_id = auth.current_account_id())
    WITH CHECK (account_id = auth.current_account_id());

-- files.objects: one's own files; parents and teachers read their students' files,
-- admins their organization's.
ALTER TABLE files.objects ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_files ON files.objects
    TO profe_admin, profe_teacher, profe_student, profe_parent
    USING (owner_account_id = auth.current_account_id())
    WITH CHECK (owner_account_id = auth.current_account_id());
CREATE POLICY parent_children ON files.objects FOR SELECT TO profe_parent
    USING (users.guards(owner_account_id));
CREATE POLICY teacher_students ON files.objects FOR SELECT TO profe_teacher
    USING (academic.teaches_student(owner_account_id));
CREATE POLICY admin_organization ON files.objects FOR SELECT TO profe_admin
    USING (organizations.administers(organization_id));
