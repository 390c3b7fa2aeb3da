from debian:bookworm
run apt-get update && \
    apt-get install -y curl
