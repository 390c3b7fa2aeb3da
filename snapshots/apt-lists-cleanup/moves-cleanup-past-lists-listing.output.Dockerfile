FROM debian:bookworm
RUN apt-get update
RUN ls /var/lib/apt/lists > /lists.txt && rm -rf /var/lib/apt/lists/*
