FROM debian:bookworm
# refresh the lists
# curl fetches the archive
# hadolint ignore=DL3009
RUN apt-get update && \
    apt-get install -y curl
