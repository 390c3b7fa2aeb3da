FROM debian:bookworm
RUN apt-get update
RUN <<EOF
apt-get install -y curl
EOF
