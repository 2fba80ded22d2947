#include "server/server_config.h"

#include "core/log.h"

namespace fulcrum::server {

Result<ServerConfig> ServerConfig::parse(ConfigTable& root) {
  ServerConfig c;
  FULCRUM_TRY(auto table, root.get_table("server"));
  if (!table) return c;
  ConfigTable& t = *table;
  FULCRUM_TRY(c.http.host, t.get_string("host", c.http.host));
  FULCRUM_TRY(auto port, t.get_int("port", c.http.port));
  if (port < 0 || port > 65535) return t.invalid("port", "must be between 0 and 65535");
  c.http.port = static_cast<int>(port);
  FULCRUM_TRY(auto threads, t.get_int("threads", c.http.threads));
  if (threads < 1 || threads > 256) return t.invalid("threads", "must be between 1 and 256");
  c.http.threads = static_cast<int>(threads);
  FULCRUM_TRY(auto body,
              t.get_int("max_body_bytes", static_cast<int64_t>(c.http.limits.max_body_bytes)));
  if (body < 1) return t.invalid("max_body_bytes", "must be positive");
  c.http.limits.max_body_bytes = static_cast<size_t>(body);
  FULCRUM_TRY(auto head,
              t.get_int("max_header_bytes", static_cast<int64_t>(c.http.limits.max_header_bytes)));
  if (head < 1024) return t.invalid("max_header_bytes", "must be at least 1024");
  c.http.limits.max_header_bytes = static_cast<size_t>(head);
  FULCRUM_TRY(auto idle, t.get_int("idle_timeout_ms", c.http.idle_timeout_ms));
  FULCRUM_TRY(auto header, t.get_int("header_timeout_ms", c.http.header_timeout_ms));
  if (idle < 1 || header < 1)
    return t.invalid(idle < 1 ? "idle_timeout_ms" : "header_timeout_ms", "must be positive");
  c.http.idle_timeout_ms = static_cast<int>(idle);
  c.http.header_timeout_ms = static_cast<int>(header);
  FULCRUM_TRY(c.drain_timeout_ms, t.get_int("drain_timeout_ms", c.drain_timeout_ms));
  if (c.drain_timeout_ms < 0) return t.invalid("drain_timeout_ms", "must not be negative");
  FULCRUM_TRY(c.request_timeout_ms, t.get_int("request_timeout_ms", c.request_timeout_ms));
  if (c.request_timeout_ms < 1) return t.invalid("request_timeout_ms", "must be positive");
  FULCRUM_TRY(c.log_format, t.get_string("log_format", c.log_format));
  if (c.log_format != "json" && c.log_format != "text")
    return t.invalid("log_format", "must be \"json\" or \"text\"");
  FULCRUM_TRY(c.log_level, t.get_string("log_level", c.log_level));
  log::Level level;
  if (!log::parse_level(c.log_level, &level))
    return t.invalid("log_level", "must be debug, info, warn, error or off");
  FULCRUM_TRY(c.request_log, t.get_string("request_log", ""));
  FULCRUM_TRY(c.upstream_transport, t.get_string("upstream_transport", c.upstream_transport));
  if (c.upstream_transport != "auto" && c.upstream_transport != "curl")
    return t.invalid("upstream_transport", "must be \"auto\" or \"curl\"");
  FULCRUM_TRY_STATUS(t.finish());
  return c;
}

}  // namespace fulcrum::server
