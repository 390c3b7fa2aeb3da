FROM debian:bookworm
RUN apt-get update # refresh lists
RUN apt-get install -y curl
