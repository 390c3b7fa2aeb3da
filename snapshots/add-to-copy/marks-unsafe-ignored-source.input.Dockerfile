FROM alpine:3.20
ADD secret.txt /run/secrets/
