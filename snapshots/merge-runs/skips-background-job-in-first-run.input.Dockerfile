FROM debian:bookworm
RUN dockerd & apt-get install -y curl
RUN apt-get clean
