FROM alpine:3.20
ADD ["config.txt", "/etc/app/"]
