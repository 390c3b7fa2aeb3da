FROM debian:bookworm
RUN set -e; apt-get update; if true; then apt-get install -y curl; fi
