"""Pedagogical alerts: explainable rules over the data, tunable thresholds, a lifecycle with
escalation, notifications, and the scheduled scan."""
