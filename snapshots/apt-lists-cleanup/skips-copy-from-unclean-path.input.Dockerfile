FROM debian:bookworm AS base
RUN apt-get update
FROM debian:bookworm
COPY --from=base //var/lib/apt/./lists /x
