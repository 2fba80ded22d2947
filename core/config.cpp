#include "core/config.h"

// The packaged shared toml++ is built with exceptions, so its noex:: parser is not in it: use
// the header-only build here (the -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1 of its CMake target are overridden).
#undef TOML_HEADER_ONLY
#undef TOML_SHARED_LIB
#define TOML_HEADER_ONLY 1
#define TOML_SHARED_LIB 0
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <algorithm>

#include "core/file_util.h"

namespace fulcrum {

struct Config::Impl {
  toml::table table;
  std::shared_ptr<const std::string> source;
};

Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;
Config::~Config() = default;

Result<Config> Config::parse(std::string_view text, std::string source_name) {
  auto parsed = toml::parse(text, source_name);
  if (!parsed) {
    const auto& err = parsed.error();
    return Error(ErrorCode::kParse, std::string(err.description()) + " at line " +
                                        std::to_string(err.source().begin.line))
        .with_file(source_name);
  }
  Config c;
  c.impl_ = std::make_unique<Impl>();
  c.impl_->table = std::move(parsed).table();
  c.impl_->source = std::make_shared<const std::string>(std::move(source_name));
  return c;
}

Result<Config> Config::load(const std::string& path) {
  FULCRUM_TRY(auto text, read_file(path));
  return parse(text, path);
}

ConfigTable Config::root() const {
  return ConfigTable(&impl_->table, "", impl_->source);
}

namespace {
const toml::table& tbl(const void* p) {
  return *static_cast<const toml::table*>(p);
}
std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
}  // namespace

int ConfigTable::line() const {
  return static_cast<int>(tbl(table_).source().begin.line);
}

bool ConfigTable::has(std::string_view key) const {
  return tbl(table_).contains(key);
}

std::vector<std::string> ConfigTable::keys() const {
  std::vector<std::pair<int, std::string>> rows;
  for (const auto& [k, v] : tbl(table_))
    rows.emplace_back(static_cast<int>(v.source().begin.line), std::string(k.str()));
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

const void* ConfigTable::node(std::string_view key) {
  used_.emplace(key);
  return tbl(table_).get(key);
}

Error ConfigTable::invalid(std::string_view key, std::string_view why) const {
  const toml::node* n = tbl(table_).get(key);
  int line = n ? static_cast<int>(n->source().begin.line) : this->line();
  return Error(ErrorCode::kInvalidArgument,
               std::string(why) + " (line " + std::to_string(line) + ")")
      .with_file(*source_)
      .with_field(join_path(path_, key));
}

Error ConfigTable::type_error(std::string_view key, std::string_view want) const {
  return invalid(key, "expected " + std::string(want));
}

Result<std::optional<std::string>> ConfigTable::get_string(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  if (!n) return std::optional<std::string>();
  if (auto v = n->value<std::string>()) return std::optional<std::string>(*v);
  return type_error(key, "a string");
}

Result<std::string> ConfigTable::get_string(std::string_view key, std::string fallback) {
  FULCRUM_TRY(auto v, get_string(key));
  return v ? *v : std::move(fallback);
}

Result<std::string> ConfigTable::require_string(std::string_view key) {
  FULCRUM_TRY(auto v, get_string(key));
  if (!v) return invalid(key, "is required");
  return *v;
}

Result<std::optional<int64_t>> ConfigTable::get_int(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  if (!n) return std::optional<int64_t>();
  if (n->is_integer()) return std::optional<int64_t>(n->as_integer()->get());
  return type_error(key, "an integer");
}

Result<int64_t> ConfigTable::get_int(std::string_view key, int64_t fallback) {
  FULCRUM_TRY(auto v, get_int(key));
  return v ? *v : fallback;
}

Result<std::optional<double>> ConfigTable::get_double(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  if (!n) return std::optional<double>();
  if (n->is_floating_point()) return std::optional<double>(n->as_floating_point()->get());
  if (n->is_integer()) return std::optional<double>(static_cast<double>(n->as_integer()->get()));
  return type_error(key, "a number");
}

Result<double> ConfigTable::get_double(std::string_view key, double fallback) {
  FULCRUM_TRY(auto v, get_double(key));
  return v ? *v : fallback;
}

Result<std::optional<bool>> ConfigTable::get_bool(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  if (!n) return std::optional<bool>();
  if (n->is_boolean()) return std::optional<bool>(n->as_boolean()->get());
  return type_error(key, "true or false");
}

Result<bool> ConfigTable::get_bool(std::string_view key, bool fallback) {
  FULCRUM_TRY(auto v, get_bool(key));
  return v ? *v : fallback;
}

Result<std::vector<std::string>> ConfigTable::get_string_array(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  std::vector<std::string> out;
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) return type_error(key, "an array of strings");
  for (const auto& e : *arr) {
    auto v = e.value<std::string>();
    if (!v) return type_error(key, "an array of strings");
    out.push_back(*v);
  }
  return out;
}

Result<std::optional<ConfigTable>> ConfigTable::get_table(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  if (!n) return std::optional<ConfigTable>();
  const toml::table* t = n->as_table();
  if (!t) return type_error(key, "a table");
  return std::optional<ConfigTable>(ConfigTable(t, join_path(path_, key), source_));
}

Result<std::vector<ConfigTable>> ConfigTable::get_table_array(std::string_view key) {
  auto* n = static_cast<const toml::node*>(node(key));
  std::vector<ConfigTable> out;
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) return type_error(key, "an array of tables");
  int i = 0;
  for (const auto& e : *arr) {
    const toml::table* t = e.as_table();
    if (!t) return type_error(key, "an array of tables");
    out.push_back(ConfigTable(t, join_path(path_, key) + "[" + std::to_string(i++) + "]", source_));
  }
  return out;
}

Status ConfigTable::finish() const {
  for (const auto& [k, v] : tbl(table_)) {
    if (!used_.contains(k.str())) {
      std::string where = path_.empty() ? "at top level" : "in [" + path_ + "]";
      return Error(ErrorCode::kInvalidArgument, "unknown key '" + std::string(k.str()) + "' " +
                                                    where + " at line " +
                                                    std::to_string(v.source().begin.line))
          .with_file(*source_)
          .with_field(join_path(path_, k.str()));
    }
  }
  return {};
}

}  // namespace fulcrum
