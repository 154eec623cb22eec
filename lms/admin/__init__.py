"""Administration: accounts, roles and scopes."""
