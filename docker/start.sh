#!/bin/sh
# Container entry point: apply migrations (unless MIGRATE=false, when another service
# does it once), then serve with gunicorn. Migrations use the direct connection, never
# the pooler.
set -eu
if [ "${MIGRATE:-true}" = "true" ]; then
    DATABASE_POOLER_URL="" python manage.py migrate --noinput
fi
exec gunicorn clearinghouse.wsgi:application \
    --config clearinghouse/gunicorn_conf.py \
    --bind "0.0.0.0:${PORT:-8000}" \
    --workers "${WEB_CONCURRENCY:-3}"
