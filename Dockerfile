# SMS provider sandbox: `docker compose up`, then http://localhost:8000/
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY mockserver ./mockserver
COPY fixtures ./fixtures
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8000 \
    MOCKSERVER_DATABASE_URL=sqlite:////data/mockserver.db
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 --user-group sandbox \
    && mkdir -p /data \
    && chown sandbox:sandbox /data
USER 10001:10001
WORKDIR /home/sandbox
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["mockserver", "healthcheck"]
# The default processes (README, Command line): on 2+ cores an API process and an engine process with a core of its
# own; MOCKSERVER_WORKERS=1 keeps one process.
# The supervisor is PID 1: `docker stop` (SIGTERM) stops every child and exits 0.
CMD ["mockserver", "serve"]
