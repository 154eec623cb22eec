"""The append-only audit log: who did what, when, with the state before and after
(:mod:`.services` records, every feature calls it). Its viewer for coordinators and admins is
:mod:`lms.audit_log`, above the features it reads."""
