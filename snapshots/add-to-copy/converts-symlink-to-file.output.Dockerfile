FROM alpine:3.20
COPY current.conf /etc/app/app.conf
