FROM debian:bookworm
RUN umask 077 && apt-get update && apt-get install -y curl
RUN apt-get clean
