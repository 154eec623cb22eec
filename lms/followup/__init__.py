"""Systematic follow-up: level assessments, the follow-up file, structured notes and the
interview cadence, remedial sessions, progression decisions and exit follow-up."""
