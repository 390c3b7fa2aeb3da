# escape=`
FROM golang:1.22
ENV APP_MODE=production `
    APP_PORT=8080
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
