"""The intake queue (« liste d'attente »): candidates waiting for a cohort, and their enrolment."""
