FROM debian:bookworm
RUN apt-get update && apt-get install -y hello
RUN echo "bc install" | dpkg --set-selections && apt-get dselect-upgrade -y
