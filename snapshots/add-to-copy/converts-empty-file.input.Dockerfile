FROM alpine:3.20
ADD ready.flag /run/app/ready.flag
