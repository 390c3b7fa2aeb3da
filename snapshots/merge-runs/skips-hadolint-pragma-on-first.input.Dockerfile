FROM debian:bookworm
# hadolint ignore=DL3059
RUN apt-get update
RUN apt-get install -y curl
