FROM alpine:3.20
ARG CONFIG=config.txt
ADD $CONFIG /etc/app/
