FROM debian:bookworm
RUN <<EOF
#!/bin/bash
set -euo pipefail
apt-get update
apt-get install -y curl
EOF
