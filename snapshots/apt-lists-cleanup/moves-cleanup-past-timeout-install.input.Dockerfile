FROM debian:bookworm
RUN apt-get update && apt-get install -y hello
ENV A=1
RUN timeout 600 apt-get install -y bc
