// fulcrum tokenize MODEL [--file F | TEXT] [--no-special] [--parse-special] [--json]
// Encodes text with the model's tokenizer. --json prints {"ids": [...], "pieces": [...]}; without
// it, one "id<TAB>piece" line per token. --no-special: no BOS/EOS added. --parse-special: control
// tokens written in the text (<|im_start|>, <s>) become those tokens. --file - reads standard
// input. The input bytes are used exactly as they are (no newline is stripped).
#include <cstdio>
#include <string>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/file_util.h"
#include "core/json_escape.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::apps {
namespace {

constexpr const char* kUsage =
    "usage: fulcrum tokenize MODEL [--file F | TEXT] [--no-special] [--parse-special] [--json]\n";

int fail(const std::string& msg) {
  std::fprintf(stderr, "fulcrum tokenize: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int cmd_tokenize(int argc, char** argv) {
  auto args = Args::parse(argc, argv, ArgSpec{{"--json", "--no-special", "--parse-special"},
                                             {"--file", "-f"}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum tokenize: %s\n%s", args.error().message().c_str(), kUsage);
    return 2;
  }
  const auto& pos = args->positionals();
  auto file = args->get_any({"--file", "-f"});
  if (pos.empty() || pos.size() > 2 || (file && pos.size() != 1) || (!file && pos.size() != 2)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string text;
  if (file) {
    auto r = read_file(*file);
    if (!r.ok()) return fail(r.error().to_string());
    text = std::move(r).value();
  } else {
    text = pos[1];
  }
  auto tok = engine::Tokenizer::open(pos[0]);
  if (!tok.ok()) return fail(tok.error().to_string());
  auto ids = (*tok)->encode(text, !args->has("--no-special"), args->has("--parse-special"));
  std::string out;
  if (args->has("--json")) {
    out = "{\"ids\": [";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
    out += "], \"pieces\": [";
    for (size_t i = 0; i < ids.size(); ++i) {
      out += i ? ", \"" : "\"";
      json_escape_append((*tok)->token_to_piece(ids[i]), &out);
      out += "\"";
    }
    out += "]}\n";
  } else {
    for (auto id : ids) {
      out += std::to_string(id) + "\t";
      json_escape_append((*tok)->token_to_piece(id), &out);
      out += "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace fulcrum::apps
