FROM alpine:3.20
ADD git@github.com:moby/buildkit.git /src/buildkit
ADD https://github.com/moby/moby.git#v27.0.0 /src/moby
