FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt --mount=type=tmpfs,target=/tmp apt-get update
RUN --mount=type=tmpfs,target=/tmp --mount=type=cache,target=/var/cache/apt apt-get install -y curl
