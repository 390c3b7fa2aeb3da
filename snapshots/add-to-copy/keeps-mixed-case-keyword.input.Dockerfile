From alpine:3.20
Add config.txt /etc/app/
