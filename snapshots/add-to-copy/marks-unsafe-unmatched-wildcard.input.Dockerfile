FROM alpine:3.20
ADD *.conf /etc/app/
