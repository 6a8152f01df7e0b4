-- What the policies ask about the current account. SECURITY DEFINER so that policies can
-- look at memberships, courses and guardianships that the asking role may not read (and
-- without recursing into their own policies); an empty search_path so that nothing the
-- caller creates can stand in for the tables.

CREATE FUNCTION organizations.administers(organization uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT EXISTS (
        SELECT 1 FROM organizations.memberships m
        WHERE m.organization_id = organization
          AND m.account_id = auth.current_account_id()
          AND m.role = 'admin')
$$;

CREATE FUNCTION organizations.administers_account(account uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT EXISTS (
        SELECT 1
        FROM organizations.memberships admin
        JOIN organizations.memberships member ON member.organization_id = admin.organization_id
        WHERE admin.account_id = auth.current_account_id()
          AND admin.role = 'admin'
          AND member.account_id = account)
$$;

CREATE FUNCTION academic.course_organization(course uuid) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT s.organization_id
    FROM academic.courses c JOIN academic.subjects s ON s.id = c.subject_id
    WHERE c.id = course
$$;

CREATE FUNCTION academic.teaches(course uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT EXISTS (
        SELECT 1 FROM academic.courses c
        WHERE c.id = course AND c.teacher_account_id = auth.current_account_id())
$$;

CREATE FUNCTION academic.teaches_student(student uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT EXISTS (
        SELECT 1
        FROM academic.enrollments e JOIN academic.courses c ON c.id = e.course_id
        WHERE e.student_account_id = student
          AND c.teacher_account_id = auth.current_account_id())
$$;

CREATE FUNCTION users.guards(student uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT EXISTS (
        SELECT 1 FROM users.guardianships g
        WHERE g.student_account_id = student
          AND g.parent_account_id = auth.current_account_id())
$$;

-- Only the platform's roles ask these questions.
REVOKE EXECUTE ON FUNCTION organizations.administers(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION organizations.administers_account(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION academic.course_organization(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION academic.teaches(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION academic.teaches_student(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION users.guards(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organizations.administers(uuid),
    organizations.administers_account(uuid), academic.course_organization(uuid),
    academic.teaches(uuid), academic.teaches_student(uuid), users.guards(uuid)
    TO profe_admin, profe_teacher, profe_student, profe_parent;
