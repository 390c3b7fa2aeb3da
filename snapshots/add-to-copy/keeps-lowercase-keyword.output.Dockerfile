from alpine:3.20
copy config.txt /etc/app/
