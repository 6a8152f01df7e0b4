-- A reinforcement plan for the student who struggled with fractions.
INSERT INTO plans.reinforcement_plans
    (id, student_account_id, course_id, created_by, status, goal, starts_on, ends_on)
VALUES ('00000000-0000-4000-8000-000000000701', '00000000-0000-4000-8000-000000000103',
        '00000000-0000-4000-8000-000000000401', '00000000-0000-4000-8000-000000000102',
        'active', 'Dominar las fracciones equivalentes', '2026-10-05', '2026-10-30')
ON CONFLICT (id) DO NOTHING;

INSERT INTO plans.plan_activities (id, plan_id, position, kind, title, due_on) VALUES
    ('00000000-0000-4000-8000-000000000801', '00000000-0000-4000-8000-000000000701', 1, 'video', 'Qué es una fracción equivalente', '2026-10-09'),
    ('00000000-0000-4000-8000-000000000802', '00000000-0000-4000-8000-000000000701', 2, 'exercise', 'Veinte fracciones para simplificar', '2026-10-16'),
    ('00000000-0000-4000-8000-000000000803', '00000000-0000-4000-8000-000000000701', 3, 'quiz', 'Repaso final', '2026-10-30')
ON CONFLICT (id) DO NOTHING;

INSERT INTO plans.activity_progress (activity_id, student_account_id, status, score, completed_at) VALUES
    ('00000000-0000-4000-8000-000000000801', '00000000-0000-4000-8000-000000000103', 'done', NULL, '2026-10-08 18:30+02'),
    ('00000000-0000-4000-8000-000000000802', '00000000-0000-4000-8000-000000000103', 'in_progress', NULL, NULL)
ON CONFLICT (activity_id, student_account_id) DO NOTHING;
