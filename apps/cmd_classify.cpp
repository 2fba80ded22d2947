// fulcrum classify [--config FILE] (--file F | TEXT) [--json]: runs the privacy classifier
// ([privacy] of FILE, or the defaults) over one text and prints its findings with byte offsets
// into the input. With --json the output is exactly
//   {"sensitive": true|false, "findings": [{"kind": "...", "start": N, "end": N}]}
// Exit status: 0 done (sensitive or not), 2 usage or config error, 1 scan failure.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/config.h"
#include "core/file_util.h"
#include "core/json_escape.h"
#include "router/privacy_classifier.h"

namespace fulcrum::apps {
namespace {

Result<router::PrivacyConfig> load_privacy_config(const std::optional<std::string>& path) {
  if (!path) return router::PrivacyConfig{};
  FULCRUM_TRY(auto cfg, Config::load(*path));
  auto root = cfg.root();
  FULCRUM_TRY(auto privacy, root.get_table("privacy"));
  if (!privacy) return router::PrivacyConfig{};
  // Only [privacy] is read: the rest of a serve config belongs to other commands.
  return router::PrivacyConfig::parse(*privacy);
}

Result<std::string> load_text(const Args& args) {
  auto file = args.get("--file");
  const auto& pos = args.positionals();
  if (file && !pos.empty())
    return Error(ErrorCode::kInvalidArgument, "give either --file F or TEXT, not both");
  if (file) {
    if (*file == "-")
      return std::string(std::istreambuf_iterator<char>(std::cin),
                         std::istreambuf_iterator<char>());
    return read_file(*file);
  }
  if (pos.size() != 1)
    return Error(ErrorCode::kInvalidArgument,
                 "usage: fulcrum classify [--config FILE] (--file F | TEXT) [--json]");
  return pos[0];
}

}  // namespace

int cmd_classify(int argc, char** argv) {
  auto args = Args::parse(argc, argv, ArgSpec{{"--json"}, {"--config", "--file"}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum classify: %s\n", args.error().to_string().c_str());
    return 2;
  }
  auto text = load_text(*args);
  if (!text.ok()) {
    std::fprintf(stderr, "fulcrum classify: %s\n", text.error().to_string().c_str());
    return 2;
  }
  auto config = load_privacy_config(args->get("--config"));
  if (!config.ok()) {
    std::fprintf(stderr, "fulcrum classify: %s\n", config.error().to_string().c_str());
    return 2;
  }
  auto classifier = router::PrivacyClassifier::create(*config);
  if (!classifier.ok()) {
    std::fprintf(stderr, "fulcrum classify: %s\n", classifier.error().to_string().c_str());
    return 2;
  }
  auto findings = (*classifier)->scan(*text);
  if (!findings.ok()) {
    std::fprintf(stderr, "fulcrum classify: %s\n", findings.error().to_string().c_str());
    return 1;
  }
  if (args->has("--json")) {
    std::string out = "{\"sensitive\": ";
    out += findings->empty() ? "false" : "true";
    out += ", \"findings\": [";
    for (size_t i = 0; i < findings->size(); ++i) {
      const auto& f = (*findings)[i];
      if (i) out += ", ";
      out += "{\"kind\": \"" + json_escape(f.kind) + "\", \"start\": " + std::to_string(f.start) +
             ", \"end\": " + std::to_string(f.end) + "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  std::printf("%s\n", findings->empty() ? "not sensitive" : "sensitive");
  for (const auto& f : *findings)
    std::printf("  %-16s bytes %zu..%zu\n", f.kind.c_str(), f.start, f.end);
  return 0;
}

}  // namespace fulcrum::apps
