FROM debian:bookworm
USER nobody
RUN apt-get update && apt-get install -y curl
