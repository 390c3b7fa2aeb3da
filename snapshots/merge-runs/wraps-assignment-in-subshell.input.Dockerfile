FROM debian:bookworm
RUN PKGS=curl; apt-get update && apt-get install -y $PKGS
RUN rm -rf /var/lib/apt/lists/*
