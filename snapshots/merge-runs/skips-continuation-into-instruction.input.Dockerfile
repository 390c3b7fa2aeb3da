FROM debian:bookworm
RUN apt-get update
RUN apt-get install -y hello \
EXPOSE 80
