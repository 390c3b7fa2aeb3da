FROM debian:bookworm
RUN apt-get update
# hadolint ignore=DL3059
RUN apt-get install -y curl
