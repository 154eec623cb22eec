"""Programme settings changed at run time (kept in the database, defaults from code) and the
class-day calendar (Quebec holidays, site closure days)."""
