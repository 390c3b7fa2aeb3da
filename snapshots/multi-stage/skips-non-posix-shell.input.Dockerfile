FROM golang:1.22
SHELL ["/usr/bin/fish", "-c"]
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
