# syntax=docker/dockerfile:1
# Image for web (gunicorn), worker and beat (Celery); see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries (libharfbuzz-subset0 makes PDF rendering about 7x faster),
# a font for letters, and gettext for compilemessages. Same list as scripts/system-deps.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Runtime dependencies only (no dev tools), pinned by the lock file.
COPY requirements/ requirements/
RUN pip install -r requirements/base.in -c requirements/lock.txt

COPY . .

# Translations (if any) and static files are baked into the image. Settings refuse to start
# without a secret key when DEBUG is off; the build uses a throwaway one that is never kept.
RUN if [ -d locale ]; then DJANGO_DEBUG=1 python manage.py compilemessages -v 0; fi \
    && DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=0 python manage.py collectstatic --noinput -v 0 \
    && rm -rf var \
    && mkdir -p var/media var/beat \
    && chown -R app:app var

USER app

ENV MEDIA_ROOT=/app/var/media
EXPOSE 8000

CMD ["gunicorn", "dsar.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
