FROM debian:bookworm
SHELL ["cmd", "/S", "/C"]
RUN apt-get update
RUN apt-get install -y curl
