#!/usr/bin/env bash
# Production run (make serve): migrations, then the scheduler as its own process in the
# background and gunicorn (gunicorn.conf.py) in the foreground; when gunicorn stops, for any
# reason, the scheduler is stopped too.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

"$BIN/flask" --app wsgi db upgrade

scheduler="" server=""
stop() {
    [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [[ -n "$scheduler" ]] && kill -TERM "$scheduler" 2>/dev/null && wait "$scheduler" 2>/dev/null
    return 0
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

"$BIN/flask" --app wsgi lms scheduler &
scheduler=$!
"$BIN/gunicorn" -c gunicorn.conf.py &
server=$!
wait "$server"
