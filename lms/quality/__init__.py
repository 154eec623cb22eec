"""Quality control: checkpoint reviews at fixed points of every cohort, the coordinator's
audit and sign-off, corrective actions, the quality dashboard, the satisfaction survey."""
