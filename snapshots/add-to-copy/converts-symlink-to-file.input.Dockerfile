FROM alpine:3.20
ADD current.conf /etc/app/app.conf
