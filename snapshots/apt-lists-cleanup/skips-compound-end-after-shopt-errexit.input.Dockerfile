FROM debian:bookworm
SHELL ["/bin/bash", "-c"]
RUN shopt -so errexit; apt-get update; if true; then apt-get install -y hello; fi
