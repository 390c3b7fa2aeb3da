FROM alpine:3.20
ADD legacy.dat /opt/legacy/
