FROM debian:bookworm
RUN apt-get update
# curl fetches the release archive
  # indented note
RUN apt-get install -y curl
