FROM debian:bookworm
SHELL ["/bin/sh", "-e", "-c"]
RUN apt-get update && { apt-get install -y curl; touch /done; }
