FROM example.com/dev-base:1
RUN sudo apt-get update && sudo apt-get install -y curl
