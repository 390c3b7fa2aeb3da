FROM alpine:3.20
ADD data.bin /opt/data/
