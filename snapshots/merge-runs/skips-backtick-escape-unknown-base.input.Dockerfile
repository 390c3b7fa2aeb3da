# escape=`
FROM example.com/base:1
RUN apt-get update
RUN apt-get install -y curl
