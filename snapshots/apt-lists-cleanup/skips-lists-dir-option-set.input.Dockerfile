FROM debian:bookworm
RUN apt-get -o Dir::State::Lists=/tmp/lists update \
    && apt-get -o Dir::State::Lists=/tmp/lists install -y curl
