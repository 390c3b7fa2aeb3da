FROM alpine:3.20
ADD payload.dat /opt/payload/
