"""Read-only queries for the follow-up pages, one module a subject: set-based, a fixed number of
queries per page whatever the number of students or events shown.

- :mod:`.scope`: what of a student's file a viewer sees (the ``viewer`` argument);
- :mod:`.people`: a cohort's students, the owners of actions, a student's cohorts in scope;
- :mod:`.levels`, :mod:`.activity` (attendance and online work), :mod:`.notes`;
- :mod:`.file`: the student's file; :mod:`.timeline`: its timeline, with its sources registry;
- :mod:`.dashboard`: the teacher's cohort dashboard, with its open-alert counters registry;
- :mod:`.remedial`: remedial sessions; :mod:`.end_of_course`: decisions and exit follow-ups.
"""
