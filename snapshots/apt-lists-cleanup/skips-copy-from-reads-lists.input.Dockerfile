FROM debian:bookworm AS lists
RUN apt-get update

FROM debian:bookworm
COPY --from=lists /var/lib/apt/lists /var/lib/apt/lists
