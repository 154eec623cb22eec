"""Accounts: login, logout, password change, login throttling."""
