// Command-line parsing for the subcommands: each declares its flags (no value) and options (one
// value; "--opt V" or "--opt=V"; may repeat). Anything else starting with '-' is an error, except
// "-" itself and negative numbers; "--" ends option parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fulcrum::apps {

struct ArgSpec {
  std::vector<std::string> flags;    // e.g. {"--json", "--no-special"}
  std::vector<std::string> options;  // e.g. {"-m", "--model", "--file"}
};

class Args {
 public:
  static Result<Args> parse(int argc, char** argv, const ArgSpec& spec);

  bool has(std::string_view flag) const;
  std::optional<std::string> get(std::string_view option) const;  // last occurrence
  std::vector<std::string> get_all(std::string_view option) const;
  // First of several spellings present (e.g. {"-m", "--model"}).
  std::optional<std::string> get_any(std::initializer_list<std::string_view> names) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  Result<double> get_double(std::string_view option, double fallback) const;
  Result<int64_t> get_int(std::string_view option, int64_t fallback) const;

 private:
  std::vector<std::string> flags_;
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> positionals_;
};

}  // namespace fulcrum::apps
