// fulcrum serve --config FILE.toml [--port N] [--host ADDR]
// Runs the gateway until SIGTERM/SIGINT, then drains in-flight requests and exits 0.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/config.h"
#include "core/log.h"
#include "providers/http_client.h"
#include "providers/provider_registry.h"
#include "router/router.h"
#include "server/gateway.h"
#include "server/http_server.h"
#include "server/request_log.h"
#include "server/server_config.h"

namespace fulcrum::apps {
namespace {

struct Loaded {
  server::ServerConfig server;
  std::shared_ptr<providers::ProviderRegistry> providers;
  std::shared_ptr<const router::Router> router;
};

Result<Loaded> load(const std::string& path) {
  FULCRUM_TRY(auto cfg, Config::load(path));
  ConfigTable root = cfg.root();
  Loaded out;
  FULCRUM_TRY(out.server, server::ServerConfig::parse(root));
  providers::HttpClientOptions http;
  if (out.server.upstream_transport == "curl") http.transport = providers::HttpTransport::kCurl;
  FULCRUM_TRY(auto client, providers::HttpClient::create(http));
  std::shared_ptr<providers::HttpClient> shared_client = std::move(client);
  FULCRUM_TRY(auto ptable, root.get_table("providers"));
  if (ptable) {
    FULCRUM_TRY(auto reg,
                providers::ProviderRegistry::from_config(std::move(*ptable), shared_client));
    out.providers = std::make_shared<providers::ProviderRegistry>(std::move(reg));
  } else {
    out.providers = std::make_shared<providers::ProviderRegistry>();
  }
  FULCRUM_TRY(auto rcfg, router::RouterConfig::parse(root));
  for (const auto& name : out.providers->names())
    if (auto* p = out.providers->find(name)) rcfg.provider_on_premises[name] = p->on_premises();
  FULCRUM_TRY(out.router, router::Router::create(std::move(rcfg)));
  FULCRUM_TRY_STATUS(root.finish());
  return out;
}

void apply_logging(const server::ServerConfig& c) {
  log::Level level = log::Level::kInfo;
  log::parse_level(c.log_level, &level);
  log::set_level(level);
  log::set_json(c.log_format == "json");
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  auto args = Args::parse(argc, argv, ArgSpec{{}, {"--config", "-c", "--port", "--host"}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum serve: %s\n", args.error().to_string().c_str());
    return 2;
  }
  auto path = args->get_any({"--config", "-c"});
  if (!path) {
    std::fprintf(stderr, "usage: fulcrum serve --config FILE.toml [--port N] [--host ADDR]\n");
    return 2;
  }
  // Signals go to the main thread only: block them before any thread starts (the providers'
  // HTTP client starts its I/O threads while the config loads), so every thread inherits it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto loaded = load(*path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "fulcrum serve: %s\n", loaded.error().to_string().c_str());
    return 1;
  }
  server::ServerConfig& sc = loaded->server;
  auto port = args->get_int("--port", sc.http.port);
  if (!port.ok() || *port < 0 || *port > 65535) {
    std::fprintf(stderr, "fulcrum serve: --port must be between 0 and 65535\n");
    return 2;
  }
  sc.http.port = static_cast<int>(*port);
  if (auto host = args->get("--host")) sc.http.host = *host;
  apply_logging(sc);
  if (Status s = server::open_request_log(sc.request_log); !s.ok()) {
    std::fprintf(stderr, "fulcrum serve: %s\n", s.error().to_string().c_str());
    return 1;
  }
  // The server's own answers (400/408/413/431/501) carry the route header too.
  sc.http.reject_headers = {{"x-fulcrum-route", "rule=none; privacy=unknown"}};

  auto gateway = std::make_shared<server::Gateway>(loaded->router, loaded->providers,
                                                   server::GatewayOptions{sc.request_timeout_ms});
  server::HttpServer http(
      sc.http, [gateway](server::HttpRequest&& req, std::shared_ptr<server::ResponseWriter> w) {
        gateway->handle(std::move(req), std::move(w));
      });
  if (Status s = http.listen(); !s.ok()) {
    std::fprintf(stderr, "fulcrum serve: %s\n", s.error().to_string().c_str());
    return 1;
  }
  gateway->set_connection_count([&http] { return http.open_connections(); });
  loaded->providers->start_health_checks();
  http.start();
  bool v6 = sc.http.host.find(':') != std::string::npos;
  std::printf("fulcrum: listening on http://%s%s%s:%d\n", v6 ? "[" : "", sc.http.host.c_str(),
              v6 ? "]" : "", http.port());
  std::fflush(stdout);
  log::info("serving on {}:{} with {} event loop(s)", sc.http.host, http.port(), sc.http.threads);

  int sig = 0;
  sigwait(&set, &sig);
  log::info("signal {}: draining for up to {} ms", sig, sc.drain_timeout_ms);
  gateway->set_draining();
  http.stop(static_cast<int>(sc.drain_timeout_ms));
  // Requests cut off at the drain deadline were cancelled; let their provider calls unwind
  // before the server and the providers are destroyed.
  if (!gateway->wait_idle(5'000)) {
    // A call asleep in a long retry backoff: do not tear down objects it still points into.
    log::warn("{} request(s) still unwinding at exit; exiting without cleanup",
              gateway->in_flight());
    server::flush_request_log();
    std::fflush(nullptr);
    std::_Exit(0);
  }
  log::info("drained; bye");
  return 0;
}

}  // namespace fulcrum::apps
