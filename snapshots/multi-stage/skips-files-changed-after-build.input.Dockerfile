FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
COPY config.yaml /etc/app/config.yaml
CMD ["app"]
