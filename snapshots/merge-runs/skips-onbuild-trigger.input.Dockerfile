FROM debian:bookworm
ONBUILD RUN apt-get update
ONBUILD RUN apt-get install -y curl
