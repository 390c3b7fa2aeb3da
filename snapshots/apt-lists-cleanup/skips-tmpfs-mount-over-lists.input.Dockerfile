FROM debian:bookworm
RUN --mount=type=tmpfs,target=/var/lib/apt/lists \
    apt-get update && apt-get install -y curl
