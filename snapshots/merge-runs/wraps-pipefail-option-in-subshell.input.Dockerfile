FROM debian:bookworm
RUN set -o pipefail; apt-get update && apt-get install -y curl
RUN apt-get clean
