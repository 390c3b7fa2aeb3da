FROM alpine:3.20
ADD bundle.pkg /opt/bundle/
