FROM debian:bookworm
RUN --network=host apt-get update
RUN apt-get install -y curl
