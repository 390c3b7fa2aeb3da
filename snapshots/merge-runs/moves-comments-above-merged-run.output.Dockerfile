FROM debian:bookworm
# curl fetches the release archive
  # indented note
RUN apt-get update && \
    apt-get install -y curl
