FROM golang:1.22
LABEL org.opencontainers.image.source=https://example.com/app
# The service reads its port from PORT.
ENV PORT=8080
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app/server ./cmd/server

# Serve on the port set above.
EXPOSE 8080
HEALTHCHECK CMD ["/app/server", "-health"]
USER nobody
CMD ["/app/server"]
