from alpine:3.20
add config.txt /etc/app/
