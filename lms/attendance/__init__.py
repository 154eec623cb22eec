"""Attendance in hours per class day, and the weekly participation allowance."""
