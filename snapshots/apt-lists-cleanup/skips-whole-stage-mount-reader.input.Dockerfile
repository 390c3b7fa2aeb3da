FROM debian:bookworm AS base
RUN apt-get update
FROM debian:bookworm
RUN --mount=from=base,target=/b cp -r /b/var/lib/apt/lists /x
