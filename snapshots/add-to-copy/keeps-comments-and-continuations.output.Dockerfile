FROM alpine:3.20
# Application files
COPY --chown=app:app \
    app/ \
    # the settings
    config.txt \
    /srv/
