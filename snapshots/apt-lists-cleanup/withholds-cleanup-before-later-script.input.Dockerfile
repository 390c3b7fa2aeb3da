FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
COPY install.sh /tmp/
RUN /tmp/install.sh
