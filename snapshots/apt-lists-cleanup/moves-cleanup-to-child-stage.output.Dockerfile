FROM debian:bookworm AS base
RUN apt-get update

FROM base AS app
RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*
