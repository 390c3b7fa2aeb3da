FROM debian:bookworm
RUN ( trap 'echo done' EXIT; apt-get update && apt-get install -y curl ) && \
    apt-get clean
