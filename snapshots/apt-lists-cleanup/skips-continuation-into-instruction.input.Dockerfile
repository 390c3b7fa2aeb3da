FROM debian:bookworm
RUN apt-get update && apt-get install -y hello \
CMD ["hello"]
