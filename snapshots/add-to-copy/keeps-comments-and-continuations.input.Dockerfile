FROM alpine:3.20
# Application files
ADD --chown=app:app \
    app/ \
    # the settings
    config.txt \
    /srv/
