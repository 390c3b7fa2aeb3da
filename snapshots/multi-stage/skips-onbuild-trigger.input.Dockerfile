FROM golang:1.22
WORKDIR /src
ONBUILD COPY . .
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
