FROM debian:bookworm
SHELL ["pwsh", "-Command"]
RUN apt-get update
RUN apt-get install -y curl
