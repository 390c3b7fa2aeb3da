FROM debian:bookworm
RUN apt-get update && cat <<EOF > /etc/motd
welcome
EOF
