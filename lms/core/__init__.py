"""Home redirection, language switch, health check."""
