# syntax=docker/dockerfile:1
# The cafebot image: `docker compose up -d` runs it beside PostgreSQL and a Chroma server (README, "Deployment").
# Install and start steps live in deploy/install.sh and deploy/entrypoint.sh, which tests/test_deploy.py runs
# in a clean virtualenv, since this machine has no Docker engine to build the image itself.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the wheel and a virtualenv with the locked dependencies --------------------------------------
FROM ${PYTHON_IMAGE} AS builder
# A compiler for any dependency that has no binary wheel on the target platform (e.g. arm64).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md requirements.lock ./
COPY deploy ./deploy
COPY bot ./bot
COPY prompts ./prompts
COPY knowledge ./knowledge
RUN --mount=type=cache,target=/root/.cache/pip \
    PYTHON=python3 sh deploy/install.sh /opt/venv

# --- runtime ----------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# fonts-nanum: Hangul labels on the /stats chart (NanumGothic; about a third of fonts-noto-cjk's size).
# tini as PID 1: forwards SIGTERM to the bot and reaps zombies (or run the container with --init instead).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-nanum tini \
    && rm -rf /var/lib/apt/lists/*
# A fixed numeric uid, so volume ownership and Kubernetes' runAsNonRoot can rely on it.
RUN useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin cafebot \
    && mkdir -p /data /cache \
    && chown cafebot:cafebot /data /cache
COPY --from=builder /opt/venv /opt/venv
COPY --chmod=0755 deploy/entrypoint.sh deploy/healthcheck.py /opt/cafebot/

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CAFEBOT_DATA_DIR=/data \
    EMBEDDING_CACHE_DIR=/cache/embeddings \
    LOG_FORMAT=json \
    OPS_LISTEN=0.0.0.0 \
    OPS_PORT=9090 \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443 \
    MPLCONFIGDIR=/home/cafebot/.cache/matplotlib

USER 10001:10001
WORKDIR /home/cafebot
# Build matplotlib's font list now (with NanumGothic in it) instead of on the first /stats.
RUN python -c "import matplotlib.font_manager"

# /data: SQLite (when DATABASE_URL is unset), embedded Chroma (when CHROMA_HOST is unset) and staff uploads.
# /cache: passage vectors by text hash; losing it only costs re-embedding time.
VOLUME ["/data", "/cache"]
# Webhook (behind an HTTPS proxy; not needed for long polling) and ops: /healthz, /readyz, /metrics.
EXPOSE 8443 9090
# The first start ingests the shipped knowledge/ before serving: give it a few minutes on small machines.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "/opt/cafebot/healthcheck.py"]
ENTRYPOINT ["tini", "--", "/opt/cafebot/entrypoint.sh"]
