FROM debian:bookworm
ARG RUN_AS=root
USER $RUN_AS
RUN apt-get update && apt-get install -y curl
