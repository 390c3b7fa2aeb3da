# syntax=docker/dockerfile:1.7-labs
FROM alpine:3.20
COPY --chown=app:app --chmod=644 --link config.txt /etc/app/
COPY --exclude=*.md app/ /srv/app/
