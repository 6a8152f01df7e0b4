# The migration service as the platform deploys it. Two stages: the build (Rust, plus
# libclang for pg_query's bindings and cmake/perl for aws-lc), then a slim runtime with the
# PostgreSQL client tools of the supported major (pg_dump/pg_restore for backups must be
# at least the server's major) and the desired state of the repository.
#
# Not built on the development machines (no container engine there); see README.md.

ARG PG_MAJOR=17

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libclang-dev clang cmake \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin profe-migrate

FROM debian:bookworm-slim
ARG PG_MAJOR
# PostgreSQL's own repository (PGDG): Debian 12 ships only PostgreSQL 15's client.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc \
      -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
 && apt-get purge -y gnupg && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/profe-migrate /usr/local/bin/profe-migrate
RUN useradd --system --create-home --home-dir /app profe
WORKDIR /app
COPY --chown=profe schema ./schema
COPY --chown=profe policies ./policies
COPY --chown=profe seeds ./seeds
RUN install -d -o profe /var/lib/profe-migrate/backups
USER profe
ENV PG_BIN=/usr/lib/postgresql/${PG_MAJOR}/bin \
    MIGRATION_SERVICE_PORT=3009 \
    MIGRATION_SERVICE_BACKUP_STORAGE=/var/lib/profe-migrate/backups \
    MIGRATION_SERVICE_LOG_LEVEL=info
EXPOSE 3009
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS "http://127.0.0.1:${MIGRATION_SERVICE_PORT}/health" || exit 1
ENTRYPOINT ["profe-migrate"]
CMD ["serve"]
