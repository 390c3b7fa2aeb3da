FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
EXPOSE 8080
CMD ["app"]
