FROM debian:bookworm
RUN ( export DEBIAN_FRONTEND=noninteractive && apt-get update && apt-get install -y curl ) && \
    apt-get clean
