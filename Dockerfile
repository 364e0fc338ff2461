# The back office in one image: the API server (and the SPA it serves).
FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config nodejs npm \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN rustup target add wasm32-unknown-unknown \
    && npm ci --no-audit --no-fund \
    && cargo xtask web \
    && cargo build --locked --release -p api --features jemalloc

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data backoffice && mkdir /data && chown backoffice /data
COPY --from=build /src/target/release/backoffice /usr/local/bin/backoffice
COPY --from=build /src/web/dist /usr/share/backoffice/web
ENV BIND_ADDR=0.0.0.0:8080 \
    WEB_DIST=/usr/share/backoffice/web \
    LOG_FORMAT=json \
    APP_ENV=production \
    DATABASE_URL=/data/backoffice.db
USER backoffice
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["backoffice"]
CMD ["serve"]
