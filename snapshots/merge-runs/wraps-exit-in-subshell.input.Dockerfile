FROM debian:bookworm
RUN apt-get update && apt-get install -y curl || exit 1
RUN apt-get clean
