FROM debian:bookworm
RUN set -e; apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
