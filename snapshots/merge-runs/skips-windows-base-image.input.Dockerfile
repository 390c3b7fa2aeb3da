FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN apt-get update
RUN apt-get install -y curl
