# syntax=docker/dockerfile:1.17
FROM alpine:3.20
ADD --unpack=false config.txt /etc/app/
