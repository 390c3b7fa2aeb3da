FROM debian:bookworm
RUN <<EOF
set -e
apt-get update
apt-get install -y curl
EOF
