ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}
ARG GO_VERSION
WORKDIR /src
COPY . .
RUN go build -ldflags "-X main.goVersion=${GO_VERSION}" -o /bin/app .
LABEL org.example.go-version=$GO_VERSION
CMD ["/bin/app"]
