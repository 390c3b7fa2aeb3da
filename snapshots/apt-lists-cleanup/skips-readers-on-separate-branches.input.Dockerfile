FROM debian:bookworm AS base
RUN apt-get update
FROM base AS web
RUN apt-get install -y nginx
FROM base AS worker
RUN apt-get install -y python3
