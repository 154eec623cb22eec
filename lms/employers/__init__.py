"""The employer-adapted fourth course: partner employers, needs profiles, sector tracks and the
course plan built from them; the employer report; per-task follow-up."""
