# Sourced by the gateway benchmarks: the config of the static upstream they all proxy to, nginx
# answering POST /v1/chat/completions with one fixed reply from a temporary, non-root prefix.
#
#   write_static_nginx_conf DIR PORT RESPONSE_FILE   # writes DIR/nginx.conf

write_static_nginx_conf() {
  local dir=$1 port=$2 response
  response=$(tr -d '\n' <"$3")
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /v1/chat/completions {
      default_type application/json;
      return 200 '$response';
    }
    location / { return 404; }
  }
}
CONF
}
