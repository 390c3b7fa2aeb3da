FROM debian:bookworm
RUN aptitude update && aptitude install -y curl && rm -rf /var/lib/apt/lists/*
