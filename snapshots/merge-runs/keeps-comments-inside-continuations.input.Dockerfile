FROM debian:bookworm
RUN apt-get update \
    # pinned versions live in the next step

    && apt-get install -y curl
RUN apt-get clean \
    # and nothing else
    && rm -rf /var/lib/apt/lists/*
