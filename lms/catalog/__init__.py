"""The catalogue: regions, sites, courses, cohorts and enrolments."""
