FROM debian:bookworm
RUN install_pkgs() { apt-get install -y "$@"; }; apt-get update && install_pkgs curl
RUN apt-get clean
