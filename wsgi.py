"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import sys

from lms import create_app
from lms.config import InsecureSettingsError

try:
    app = create_app()
except InsecureSettingsError as error:
    # A clear message and a non-zero exit, not a traceback (gunicorn then refuses to boot).
    sys.exit(f"lms: {error}")
