FROM alpine:3.20
COPY ready.flag /run/app/ready.flag
