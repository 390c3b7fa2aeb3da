FROM golang:1.22
RUN useradd --system app
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
USER app
CMD ["app"]
