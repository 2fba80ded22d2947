// fulcrum tokenize MODEL [--file F | TEXT] [--no-special] [--parse-special] [--json]
// Encodes text with the model's tokenizer. --json prints {"ids": [...], "pieces": [...]}; without
// it, one "id<TAB>piece" line per token. --no-special: no BOS/EOS added. --parse-special: control
// tokens written in the text (<|im_start|>, <s>) become those tokens. --file - reads standard
// input. The input bytes are used exactly as they are (no newline is stripped).
// --file may be repeated: each file is encoded on its own, in order, one output per file (with
// --json one line each; without it the token lines of consecutive files are separated by an
// empty line), so many texts need one model load.
#include <cstdio>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/file_util.h"
#include "core/json_escape.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::apps {
namespace {

constexpr const char* kUsage =
    "usage: fulcrum tokenize MODEL [--file F | TEXT] [--no-special] [--parse-special] [--json]\n"
    "       (--file may repeat: one output per file; --file - reads standard input)\n";

int fail(const std::string& msg) {
  std::fprintf(stderr, "fulcrum tokenize: %s\n", msg.c_str());
  return 1;
}

// The output for one text, appended to out.
void format_ids(const engine::Tokenizer& tok, const std::vector<engine::TokenId>& ids, bool json,
                std::string* out) {
  if (json) {
    *out += "{\"ids\": [";
    for (size_t i = 0; i < ids.size(); ++i) *out += (i ? ", " : "") + std::to_string(ids[i]);
    *out += "], \"pieces\": [";
    for (size_t i = 0; i < ids.size(); ++i) {
      *out += i ? ", \"" : "\"";
      json_escape_append(tok.token_to_piece(ids[i]), out);
      *out += "\"";
    }
    *out += "]}\n";
    return;
  }
  for (auto id : ids) {
    *out += std::to_string(id) + "\t";
    json_escape_append(tok.token_to_piece(id), out);
    *out += "\n";
  }
}

}  // namespace

int cmd_tokenize(int argc, char** argv) {
  auto args = Args::parse(argc, argv,
                          ArgSpec{{"--json", "--no-special", "--parse-special"}, {"--file", "-f"}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum tokenize: %s\n%s", args.error().message().c_str(), kUsage);
    return 2;
  }
  const auto& pos = args->positionals();
  std::vector<std::string> files = args->get_all("--file");
  for (auto& f : args->get_all("-f")) files.push_back(f);
  if (pos.empty() || pos.size() > 2 || (!files.empty() && pos.size() != 1) ||
      (files.empty() && pos.size() != 2)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<std::string> texts;
  if (files.empty()) texts.push_back(pos[1]);
  for (const auto& f : files) {
    auto r = read_file(f);
    if (!r.ok()) return fail(r.error().to_string());
    texts.push_back(std::move(r).value());
  }
  auto tok = engine::Tokenizer::open(pos[0]);
  if (!tok.ok()) return fail(tok.error().to_string());
  const bool json = args->has("--json");
  std::string out;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto ids = (*tok)->encode(texts[i], !args->has("--no-special"), args->has("--parse-special"));
    if (i > 0 && !json) out += "\n";
    format_ids(**tok, ids, json, &out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace fulcrum::apps
