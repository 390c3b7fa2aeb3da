FROM debian:bookworm
SHELL ["/bin/sh", "-e", "-c"]
RUN for pkg in curl git; do apt-get install -y "$pkg"; done
RUN apt-get clean
