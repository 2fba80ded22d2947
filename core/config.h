// Typed TOML configuration. Every table is read through a ConfigTable, which remembers the keys
// it was asked for; `finish()` then rejects any key nobody asked for, naming it and its line.
//
//   FULCRUM_TRY(auto cfg, Config::load("fulcrum.toml"));
//   auto root = cfg.root();
//   FULCRUM_TRY(auto port, root.get_int("port", 8080));
//   FULCRUM_TRY_STATUS(root.finish());
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace fulcrum {

class ConfigTable {
 public:
  // The dotted path of this table ("providers.openai"), for messages.
  const std::string& path() const { return path_; }
  // Line where this table starts (0 when unknown).
  int line() const;
  bool has(std::string_view key) const;
  // All keys of this table, in file order (marks none as used).
  std::vector<std::string> keys() const;

  Result<std::optional<std::string>> get_string(std::string_view key);
  Result<std::string> get_string(std::string_view key, std::string fallback);
  Result<std::string> require_string(std::string_view key);
  Result<std::optional<int64_t>> get_int(std::string_view key);
  Result<int64_t> get_int(std::string_view key, int64_t fallback);
  Result<std::optional<double>> get_double(std::string_view key);  // ints accepted
  Result<double> get_double(std::string_view key, double fallback);
  Result<std::optional<bool>> get_bool(std::string_view key);
  Result<bool> get_bool(std::string_view key, bool fallback);
  Result<std::vector<std::string>> get_string_array(std::string_view key);  // empty if absent
  Result<std::optional<ConfigTable>> get_table(std::string_view key);
  Result<std::vector<ConfigTable>> get_table_array(std::string_view key);  // empty if absent

  // Error for each key present but never asked for: "unknown key 'x' in [t] at line N".
  Status finish() const;
  // An error about `key` of this table, with its line (for values that parse but are wrong).
  Error invalid(std::string_view key, std::string_view why) const;

 private:
  friend class Config;
  ConfigTable(const void* table, std::string path, std::shared_ptr<const std::string> source)
      : table_(table), path_(std::move(path)), source_(std::move(source)) {}
  const void* node(std::string_view key);
  Error type_error(std::string_view key, std::string_view want) const;

  const void* table_;  // const toml::table*
  std::string path_;
  std::shared_ptr<const std::string> source_;  // file name, for messages
  std::set<std::string, std::less<>> used_;
};

class Config {
 public:
  static Result<Config> parse(std::string_view text, std::string source_name);
  static Result<Config> load(const std::string& path);
  ConfigTable root() const;

  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;
  ~Config();

 private:
  Config() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fulcrum
