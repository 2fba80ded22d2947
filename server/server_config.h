// The [server] section of the config file.
//
//   [server]
//   host = "127.0.0.1"          # listen address; loopback unless told otherwise
//   port = 8080                 # 0 picks a free port (printed at start-up)
//   threads = 2                 # event loops
//   max_body_bytes = 8388608    # larger request bodies get 413
//   max_header_bytes = 65536    # larger request heads get 431
//   idle_timeout_ms = 60000     # keep-alive connections idle longer are closed
//   header_timeout_ms = 30000   # a request not received in time gets 408
//   drain_timeout_ms = 10000    # SIGTERM: in-flight requests get this long to finish
//   request_timeout_ms = 600000 # whole upstream call, all fallbacks included
//   log_format = "json"         # "json" (structured request log) or "text"
//   log_level = "info"          # debug | info | warn | error | off
//   request_log = ""            # file for the structured request log (empty: stderr)
//   upstream_transport = "auto" # "auto": built-in HTTP/1.1 client for http:// upstreams given
//                               # by IP, libcurl for the rest; "curl": libcurl for every upstream
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/result.h"
#include "server/http_server.h"

namespace fulcrum::server {

struct ServerConfig {
  ServerOptions http;
  int64_t drain_timeout_ms = 10'000;
  int64_t request_timeout_ms = 600'000;
  std::string log_format = "json";
  std::string log_level = "info";
  std::string request_log;  // empty: stderr
  std::string upstream_transport = "auto";  // "auto" | "curl" (providers::HttpTransport)

  // Reads [server] (absent: defaults); unknown keys are errors with their line.
  static Result<ServerConfig> parse(ConfigTable& root);
};

}  // namespace fulcrum::server
