FROM alpine:3.20
ADD release.tar.gz /opt/release/
