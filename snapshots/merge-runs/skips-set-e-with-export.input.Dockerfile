FROM debian:bookworm
RUN set -e; export A=1; apt-get update && apt-get install -y curl
RUN apt-get clean
