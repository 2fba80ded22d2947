#include "apps/args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace fulcrum::apps {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool looks_numeric(std::string_view s) {
  if (s.size() < 2 || s[0] != '-') return false;
  char* end = nullptr;
  std::string tmp(s);
  std::strtod(tmp.c_str(), &end);
  return end && *end == '\0';
}

// `-x`, `-name`, `--name`, `--name=value` (a letter first, then letters, digits, '_' or '-'):
// anything else that starts with '-' is text ("-----BEGIN PRIVATE KEY-----", "- item").
bool option_shaped(std::string_view s) {
  size_t p = s.starts_with("--") ? 2 : 1;
  if (p >= s.size() || !std::isalpha(static_cast<unsigned char>(s[p]))) return false;
  for (++p; p < s.size() && s[p] != '='; ++p) {
    unsigned char c = static_cast<unsigned char>(s[p]);
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  }
  return p == s.size() || s.starts_with("--");
}

}  // namespace

Result<Args> Args::parse(int argc, char** argv, const ArgSpec& spec) {
  Args a;
  bool only_positionals = false;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (only_positionals || arg == "-" || arg.empty() || arg[0] != '-' || looks_numeric(arg) ||
        (arg != "--" && !option_shaped(arg))) {
      a.positionals_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    std::string_view name = arg, value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos && arg.starts_with("--")) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (contains(spec.flags, name) && !inline_value) {
      a.flags_.emplace_back(name);
    } else if (contains(spec.options, name)) {
      if (!inline_value) {
        if (i + 1 >= argc)
          return Error(ErrorCode::kInvalidArgument,
                       "option " + std::string(name) + " needs a value");
        value = argv[++i];
      }
      a.options_.emplace_back(std::string(name), std::string(value));
    } else {
      return Error(ErrorCode::kInvalidArgument, "unknown option " + std::string(name));
    }
  }
  return a;
}

bool Args::has(std::string_view flag) const {
  return contains(flags_, flag);
}

std::optional<std::string> Args::get(std::string_view option) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : options_)
    if (k == option) out = v;
  return out;
}

std::vector<std::string> Args::get_all(std::string_view option) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : options_)
    if (k == option) out.push_back(v);
  return out;
}

std::optional<std::string> Args::get_any(std::initializer_list<std::string_view> names) const {
  for (auto n : names)
    if (auto v = get(n)) return v;
  return std::nullopt;
}

Result<double> Args::get_double(std::string_view option, double fallback) const {
  auto v = get(option);
  if (!v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0')
    return Error(ErrorCode::kInvalidArgument,
                 std::string(option) + " expects a number, got '" + *v + "'");
  return d;
}

Result<int64_t> Args::get_int(std::string_view option, int64_t fallback) const {
  auto v = get(option);
  if (!v) return fallback;
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size())
    return Error(ErrorCode::kInvalidArgument,
                 std::string(option) + " expects an integer, got '" + *v + "'");
  return x;
}

}  // namespace fulcrum::apps
