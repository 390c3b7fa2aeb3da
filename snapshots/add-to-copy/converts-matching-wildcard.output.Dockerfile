FROM alpine:3.20
COPY *.conf /etc/app/
