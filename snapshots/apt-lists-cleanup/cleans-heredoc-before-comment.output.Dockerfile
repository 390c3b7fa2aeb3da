FROM debian:bookworm
RUN <<EOF
apt-get update
apt-get install -y \
    curl && rm -rf /var/lib/apt/lists/* # for the healthcheck
EOF
