# syntax=docker/dockerfile:1.7-labs
FROM alpine:3.20
ADD --chown=app:app --chmod=644 --link config.txt /etc/app/
ADD --exclude=*.md app/ /srv/app/
