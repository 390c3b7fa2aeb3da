FROM debian:bookworm
RUN <<EOF
apt-get update
apt-get install -y \
    curl # for the healthcheck
EOF
