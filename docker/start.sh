#!/bin/sh
# Container entry point: apply migrations, then serve with gunicorn.
set -eu
python manage.py migrate --noinput
exec gunicorn clearinghouse.wsgi:application \
    --config clearinghouse/gunicorn_conf.py \
    --bind "0.0.0.0:${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-3}"
