From alpine:3.20
Copy config.txt /etc/app/
