FROM alpine:3.20
ADD vendor.tar /opt/vendor/
