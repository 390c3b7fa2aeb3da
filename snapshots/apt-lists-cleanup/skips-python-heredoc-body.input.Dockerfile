FROM debian:bookworm
RUN <<EOF
#!/usr/bin/env python3
import subprocess
subprocess.run(["apt-get", "update"], check=True)
EOF
