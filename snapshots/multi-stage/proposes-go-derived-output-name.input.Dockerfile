FROM golang:1.22-bullseye
WORKDIR /src
COPY . .
RUN go build ./cmd/api
CMD ["./api"]
