FROM python:3.12
RUN ( cd /opt/app && pip install -r requirements.txt ) && \
    rm -rf /root/.cache
