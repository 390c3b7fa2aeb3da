FROM python:3.12-slim
ADD app/ /srv/app/
CMD ["python", "/srv/app/main.py"]
