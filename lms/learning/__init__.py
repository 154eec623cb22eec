"""Online learning: course content, exercises, attempts and productions."""
