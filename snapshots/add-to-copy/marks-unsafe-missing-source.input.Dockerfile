FROM alpine:3.20
ADD settings.txt /etc/app/
