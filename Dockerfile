# syntax=docker/dockerfile:1
# Build: docker build -t clearinghouse .
# Run:   docker compose up   (see compose.yaml)

FROM python:3.13-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml constraints.txt README.md ./
COPY clearinghouse ./clearinghouse
COPY practices ./practices
COPY awards ./awards
# Install the dependencies only: the code itself runs from /app.
RUN /venv/bin/pip install -c constraints.txt . \
    && /venv/bin/pip uninstall --yes clearinghouse

FROM python:3.13-slim AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=clearinghouse.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    PORT=8000
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app --shell /usr/sbin/nologin app \
    && mkdir -p /data/media && chown app /data/media
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=app . .
# collectstatic needs some key to import the settings; this one is thrown away.
RUN SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput --verbosity 0 \
    && chmod +x docker/start.sh
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1
CMD ["docker/start.sh"]
