FROM debian:bookworm
RUN --mount=type=bind,target=/var,rw \
    apt-get update && apt-get install -y curl
