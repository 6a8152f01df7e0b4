-- A subject, a course taught by the demo teacher, both students enrolled, lessons and
-- a few results.
INSERT INTO academic.subjects (id, organization_id, code, name)
VALUES ('00000000-0000-4000-8000-000000000301', '00000000-0000-4000-8000-000000000001', 'MAT', 'Matemáticas')
ON CONFLICT (id) DO NOTHING;

INSERT INTO academic.courses (id, subject_id, teacher_account_id, title, school_year, starts_on, ends_on)
VALUES ('00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000301',
        '00000000-0000-4000-8000-000000000102', 'Matemáticas 1º ESO', '2026-2027',
        '2026-09-08', '2027-06-18')
ON CONFLICT (id) DO UPDATE
    SET title = EXCLUDED.title, school_year = EXCLUDED.school_year,
        starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on
    WHERE (courses.title, courses.school_year, courses.starts_on, courses.ends_on)
          IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.school_year, EXCLUDED.starts_on, EXCLUDED.ends_on);

INSERT INTO academic.enrollments (course_id, student_account_id, enrolled_at) VALUES
    ('00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000103', '2026-09-08 09:00+02'),
    ('00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000104', '2026-09-08 09:00+02')
ON CONFLICT (course_id, student_account_id) DO NOTHING;

INSERT INTO academic.lessons (id, course_id, position, title, content, published_at) VALUES
    ('00000000-0000-4000-8000-000000000501', '00000000-0000-4000-8000-000000000401', 1, 'Números enteros', '{"blocks": 4}', '2026-09-08 09:00+02'),
    ('00000000-0000-4000-8000-000000000502', '00000000-0000-4000-8000-000000000401', 2, 'Fracciones', '{"blocks": 6}', '2026-09-22 09:00+02'),
    ('00000000-0000-4000-8000-000000000503', '00000000-0000-4000-8000-000000000401', 3, 'Ecuaciones de primer grado', '{"blocks": 5}', NULL)
ON CONFLICT (id) DO NOTHING;

INSERT INTO academic.assessment_results (id, course_id, lesson_id, student_account_id, score, assessed_at) VALUES
    ('00000000-0000-4000-8000-000000000601', '00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000501', '00000000-0000-4000-8000-000000000103', 8.50, '2026-09-20 10:00+02'),
    ('00000000-0000-4000-8000-000000000602', '00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000502', '00000000-0000-4000-8000-000000000103', 4.25, '2026-10-04 10:00+02'),
    ('00000000-0000-4000-8000-000000000603', '00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000501', '00000000-0000-4000-8000-000000000104', 9.75, '2026-09-20 10:00+02')
ON CONFLICT (id) DO NOTHING;
