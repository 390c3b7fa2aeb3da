FROM alpine:3.20
ADD events.log.gz /var/log/app/
