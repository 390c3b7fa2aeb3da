FROM debian:bookworm
RUN apt-get update
ONBUILD RUN apt-get install -y curl
