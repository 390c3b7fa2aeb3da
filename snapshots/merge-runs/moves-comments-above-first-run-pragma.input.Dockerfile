FROM debian:bookworm
# refresh the lists
# hadolint ignore=DL3009
RUN apt-get update
# curl fetches the archive
RUN apt-get install -y curl
