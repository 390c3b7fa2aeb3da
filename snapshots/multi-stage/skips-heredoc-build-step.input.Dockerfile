# syntax=docker/dockerfile:1
FROM golang:1.22
WORKDIR /src
COPY . .
RUN <<EOT
go build -o /usr/local/bin/app .
EOT
CMD ["app"]
