FROM debian:bookworm AS base
USER app

FROM base
RUN apt-get update && apt-get install -y curl
