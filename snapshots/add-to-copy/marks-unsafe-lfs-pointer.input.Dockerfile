FROM alpine:3.20
ADD model.bin /opt/model/
