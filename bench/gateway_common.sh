# Sourced by the gateway benchmarks (gateway_bench.sh, gateway_instructions.sh): the configs they
# share, so both measure the same setup.
#
#   write_static_nginx_conf DIR PORT RESPONSE_FILE
#     DIR/nginx.conf: nginx answering POST /v1/chat/completions with one fixed reply, from a
#     temporary, non-root prefix (the static upstream every gateway proxies to)
#   write_fulcrum_conf FILE PORT THREADS LOG_LEVEL UPSTREAM_PORT
#     `fulcrum serve` proxying to it: privacy scan on, virtual model "auto" routed to one
#     on-premises openai_compat target, the structured request log at LOG_LEVEL

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

write_fulcrum_conf() {
  cat >"$1" <<CONF
[server]
host = "127.0.0.1"
port = $2
threads = $3
log_format = "json"
log_level = "$4"

[providers.upstream]
kind = "openai_compat"
base_url = "http://127.0.0.1:$5/v1"
api_key = "sk-bench-not-a-secret"
on_premises = true
max_retries = 0

[privacy]
enabled = true

[models.auto]
targets = [{ provider = "upstream", model = "gpt-4o-mini", on_premises = true, tier = "small" }]
CONF
}
