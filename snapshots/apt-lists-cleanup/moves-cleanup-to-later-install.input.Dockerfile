FROM debian:bookworm
RUN apt-get update
COPY packages.txt /tmp/
RUN apt-get install -y curl
