FROM debian:bookworm
RUN apt-get update && apt-get install -y hello
RUN su nobody -s /bin/sh -c "echo hi"
