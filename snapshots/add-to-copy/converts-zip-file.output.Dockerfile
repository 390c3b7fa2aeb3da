FROM nginx:1.27-alpine
COPY site.zip /usr/share/nginx/
