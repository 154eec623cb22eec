"""The audit log's viewer: coordinators and admins read who changed what, in their scope
(the recorder that every feature writes through is :mod:`lms.audit`, below every feature)."""
