"""Outgoing e-mail: the outbox (models), sending it (outbox), the admins' page query (queries)."""
