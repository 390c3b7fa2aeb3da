FROM debian:bookworm
RUN apt-get update \
    # pinned versions live in the next step

    && apt-get install -y curl \
    && apt-get clean \
    # and nothing else
    && rm -rf /var/lib/apt/lists/*
