FROM nginx:1.27-alpine
ADD site.zip /usr/share/nginx/
