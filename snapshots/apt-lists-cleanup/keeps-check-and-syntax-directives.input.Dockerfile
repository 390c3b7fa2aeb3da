# syntax=docker/dockerfile:1
# check=error=true
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
