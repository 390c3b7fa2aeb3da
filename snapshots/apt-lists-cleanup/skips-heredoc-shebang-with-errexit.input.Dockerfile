FROM debian:bookworm
RUN <<EOT
#!/bin/bash -e
apt-get update
if true; then apt-get install -y hello; fi
EOT
