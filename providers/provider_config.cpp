#include "providers/provider_config.h"

#include <fmt/format.h>

#include <cstdlib>

namespace fulcrum::providers {
namespace {

constexpr const char* kKinds[] = {"openai_compat", "anthropic", "gemini"};

bool has_control_chars(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// scheme://host[:port][/path], http or https, no user info, query or fragment.
Status check_base_url(ConfigTable& t, const std::string& key, std::string* url) {
  while (!url->empty() && url->back() == '/') url->pop_back();
  bool scheme_ok = url->starts_with("http://") || url->starts_with("https://");
  if (!scheme_ok) return t.invalid(key, "must start with http:// or https://");
  size_t host_start = url->find("://") + 3;
  size_t host_end = url->find('/', host_start);
  std::string_view authority = std::string_view(*url).substr(
      host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  if (authority.empty()) return t.invalid(key, "has no host");
  if (authority.find('@') != std::string_view::npos) {
    return t.invalid(key, "must not contain user info (put keys in api_key / api_key_env)");
  }
  if (url->find_first_of("?# \\") != std::string::npos || has_control_chars(*url)) {
    return t.invalid(key, "must not contain a query, fragment, spaces or control characters");
  }
  return ok_status();
}

// Resolves api_key / api_key_env of a table; env wins when both are given and it is set.
Result<std::string> read_key(ConfigTable& t, const EnvLookup& env, const std::string& fallback) {
  FULCRUM_TRY(auto key, t.get_string("api_key"));
  FULCRUM_TRY(auto key_env, t.get_string("api_key_env"));
  std::string out = fallback;
  if (key) out = *key;
  if (key_env) {
    if (key_env->empty()) return t.invalid("api_key_env", "must name an environment variable");
    std::string v = env(*key_env);
    if (!v.empty()) {
      out = v;
    } else if (!key) {
      // Not an error at load: the provider answers kUnauthenticated-free calls (local servers
      // often need no key); a remote upstream will reject the call with its own 401.
    }
  }
  if (has_control_chars(out)) {
    return t.invalid(key_env ? "api_key_env" : "api_key", "key contains control characters");
  }
  return out;
}

Result<int64_t> read_ms(ConfigTable& t, const char* key, int64_t fallback, int64_t min) {
  FULCRUM_TRY(auto v, t.get_int(key, fallback));
  if (v < min) return t.invalid(key, fmt::format("must be at least {}", min));
  return v;
}

Status read_reliability(ConfigTable& t, ProviderConfig* c) {
  FULCRUM_TRY(c->timeouts.connect_ms, read_ms(t, "connect_timeout_ms", 5'000, 1));
  FULCRUM_TRY(c->timeouts.first_byte_ms, read_ms(t, "first_byte_timeout_ms", 60'000, 1));
  FULCRUM_TRY(c->timeouts.total_ms, read_ms(t, "total_timeout_ms", 600'000, 1));
  FULCRUM_TRY(auto retries, read_ms(t, "max_retries", 2, 0));
  if (retries > 10) return t.invalid("max_retries", "must be at most 10");
  c->max_retries = static_cast<int>(retries);
  FULCRUM_TRY(c->backoff_initial_ms, read_ms(t, "backoff_initial_ms", 200, 0));
  FULCRUM_TRY(c->backoff_max_ms, read_ms(t, "backoff_max_ms", 5'000, 0));
  FULCRUM_TRY(c->max_retry_after_ms, read_ms(t, "max_retry_after_ms", 30'000, 0));
  FULCRUM_TRY(auto failures, read_ms(t, "breaker_failures", 5, 1));
  c->breaker_failures = static_cast<int>(failures);
  FULCRUM_TRY(c->breaker_cooldown_ms, read_ms(t, "breaker_cooldown_ms", 30'000, 1));
  FULCRUM_TRY(c->health_check_interval_ms, read_ms(t, "health_check_interval_ms", 0, 0));
  FULCRUM_TRY(c->max_response_bytes, read_ms(t, "max_response_bytes", 16 << 20, 1024));
  FULCRUM_TRY(auto balance, t.get_string("balance", "weighted"));
  if (balance == "weighted") {
    c->balance = BalancePolicy::kWeighted;
  } else if (balance == "least_latency") {
    c->balance = BalancePolicy::kLeastLatency;
  } else {
    return t.invalid("balance", "must be \"weighted\" or \"least_latency\"");
  }
  return ok_status();
}

Status read_replicas(ConfigTable& t, const EnvLookup& env, const std::string& provider_key,
                     ProviderConfig* c) {
  FULCRUM_TRY(auto base, t.get_string("base_url"));
  FULCRUM_TRY(auto tables, t.get_table_array("replicas"));
  if (base && !tables.empty()) {
    return t.invalid("replicas", "give either base_url or [[replicas]], not both");
  }
  if (base) {
    ReplicaConfig r{*base, 1.0, provider_key};
    FULCRUM_TRY_STATUS(check_base_url(t, "base_url", &r.base_url));
    c->replicas.push_back(std::move(r));
  }
  for (auto& rt : tables) {
    ReplicaConfig r;
    FULCRUM_TRY(r.base_url, rt.require_string("base_url"));
    FULCRUM_TRY_STATUS(check_base_url(rt, "base_url", &r.base_url));
    FULCRUM_TRY(r.weight, rt.get_double("weight", 1.0));
    if (!(r.weight > 0) || r.weight > 1e6) return rt.invalid("weight", "must be in (0, 1e6]");
    FULCRUM_TRY(r.api_key, read_key(rt, env, provider_key));
    FULCRUM_TRY_STATUS(rt.finish());
    c->replicas.push_back(std::move(r));
  }
  if (c->replicas.empty()) return t.invalid("base_url", "a provider needs base_url or replicas");
  return ok_status();
}

}  // namespace

std::string process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

Result<ProviderConfig> parse_provider_config(ConfigTable t, std::string name,
                                             const EnvLookup& env) {
  ProviderConfig c;
  c.name = std::move(name);
  FULCRUM_TRY(c.kind, t.require_string("kind"));
  bool known = false;
  for (const char* k : kKinds) known = known || c.kind == k;
  if (!known) {
    return t.invalid("kind", fmt::format("unknown provider kind '{}' (openai_compat, anthropic, "
                                         "gemini)",
                                         c.kind));
  }
  FULCRUM_TRY(c.on_premises, t.get_bool("on_premises", false));
  FULCRUM_TRY(auto key, read_key(t, env, ""));
  FULCRUM_TRY_STATUS(read_replicas(t, env, key, &c));
  FULCRUM_TRY_STATUS(read_reliability(t, &c));
  FULCRUM_TRY(c.ca_file, t.get_string("ca_file", ""));
  FULCRUM_TRY(c.api_version, t.get_string("api_version", ""));
  if (!c.api_version.empty() && c.kind != "anthropic") {
    return t.invalid("api_version", "only for kind = \"anthropic\"");
  }
  if (c.kind == "anthropic" && c.api_version.empty()) c.api_version = "2023-06-01";
  if (has_control_chars(c.api_version)) return t.invalid("api_version", "control characters");
  FULCRUM_TRY_STATUS(t.finish());
  return c;
}

}  // namespace fulcrum::providers
