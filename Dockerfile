# Aidons: a slim image that runs as a non-root user; migrations run before the server starts.
#   docker build -t aidons .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql://… -e SECRET_KEY=… \
#              -e ENVIRONMENT=production -e BASE_URL=https://aidons.example.org aidons
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 aidons

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN pip install --editable . && chown -R aidons:aidons /app

USER aidons
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# FORWARDED_ALLOW_IPS: the proxy (nginx, load balancer) whose X-Forwarded-* headers uvicorn trusts.
CMD ["sh", "-c", "aidons migrate && aidons serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
