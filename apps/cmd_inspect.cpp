// fulcrum inspect FILE [--json]: a model card for a GGUF file.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/sha256.h"
#include "gguf/gguf_file.h"
#include "gguf/model_card.h"

namespace fulcrum::apps {
namespace {

nlohmann::json opt(const std::optional<uint64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json card_json(const gguf::ModelCard& c, const std::string& path,
                         const std::string& sha) {
  nlohmann::json types = nlohmann::json::object(), bytes = nlohmann::json::object();
  for (const auto& [name, u] : c.tensor_types) {
    types[name] = u.n_tensors;
    bytes[name] = u.n_bytes;
  }
  return {
      {"file", path},
      {"gguf_version", c.gguf_version},
      {"file_size", c.file_size},
      {"architecture", c.architecture},
      {"name", c.name},
      {"n_params", c.n_params},
      {"n_tensors", c.n_tensors},
      {"tensor_bytes", c.tensor_bytes},
      {"tensor_types", types},
      {"tensor_type_bytes", bytes},
      {"file_type", c.file_type ? nlohmann::json(*c.file_type) : nlohmann::json()},
      {"file_type_name", c.file_type_name},
      {"context_length", opt(c.context_length)},
      {"n_embd", opt(c.n_embd)},
      {"n_layer", opt(c.n_layer)},
      {"n_head", opt(c.n_head)},
      {"n_head_kv", opt(c.n_head_kv)},
      {"n_ff", opt(c.n_ff)},
      {"n_vocab", opt(c.n_vocab)},
      {"tokenizer_model", c.tokenizer_model},
      {"tokenizer_pre", c.tokenizer_pre},
      {"chat_template", c.has_chat_template},
      {"license", c.license},
      {"sha256", sha},
  };
}

std::string human_count(uint64_t n) {
  char buf[32];
  if (n >= 1000000000)
    std::snprintf(buf, sizeof buf, "%.2fB", n / 1e9);
  else if (n >= 1000000)
    std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  else if (n >= 1000)
    std::snprintf(buf, sizeof buf, "%.2fK", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  return buf;
}

void print_card(const nlohmann::json& j) {
  auto s = [&](const char* k) -> std::string {
    const auto& v = j[k];
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
    return v.dump();
  };
  std::printf("%s\n", s("file").c_str());
  std::printf("  architecture    %s\n", s("architecture").c_str());
  std::printf("  name            %s\n", s("name").c_str());
  std::printf("  parameters      %s (%s)\n", human_count(j["n_params"].get<uint64_t>()).c_str(),
              s("n_params").c_str());
  std::printf("  file type       %s\n", s("file_type_name").c_str());
  std::printf("  context length  %s\n", s("context_length").c_str());
  std::printf("  embedding       %s   layers %s   heads %s   kv heads %s   ff %s\n",
              s("n_embd").c_str(), s("n_layer").c_str(), s("n_head").c_str(),
              s("n_head_kv").c_str(), s("n_ff").c_str());
  std::printf("  vocab           %s   tokenizer %s / %s\n", s("n_vocab").c_str(),
              s("tokenizer_model").c_str(), s("tokenizer_pre").c_str());
  std::printf("  chat template   %s\n", j["chat_template"].get<bool>() ? "yes" : "no");
  std::printf("  license         %s\n", s("license").c_str());
  std::printf("  tensors         %s (%s bytes)\n", s("n_tensors").c_str(),
              s("tensor_bytes").c_str());
  for (const auto& [name, count] : j["tensor_types"].items())
    std::printf("    %-8s %6s tensors %14s bytes\n", name.c_str(), count.dump().c_str(),
                j["tensor_type_bytes"][name].dump().c_str());
  std::printf("  sha256          %s\n", s("sha256").c_str());
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  auto args = Args::parse(argc, argv, ArgSpec{{"--json"}, {}});
  if (!args.ok() || args->positionals().size() != 1) {
    std::fprintf(stderr, "usage: fulcrum inspect FILE [--json]\n");
    if (!args.ok()) std::fprintf(stderr, "fulcrum inspect: %s\n", args.error().message().c_str());
    return 2;
  }
  const std::string path = args->positionals()[0];
  auto file = gguf::GgufFile::open(path);
  if (!file.ok()) {
    std::fprintf(stderr, "fulcrum inspect: %s\n", file.error().to_string().c_str());
    return 1;
  }
  auto card = gguf::make_model_card(*file);
  if (!card.ok()) {
    std::fprintf(stderr, "fulcrum inspect: %s\n", card.error().to_string().c_str());
    return 1;
  }
  auto digest = sha256_file(path);
  if (!digest.ok()) {
    std::fprintf(stderr, "fulcrum inspect: %s\n", digest.error().to_string().c_str());
    return 1;
  }
  auto j = card_json(*card, path, to_hex(*digest));
  if (args->has("--json")) {
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    print_card(j);
  }
  return 0;
}

}  // namespace fulcrum::apps
