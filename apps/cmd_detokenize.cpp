// fulcrum detokenize MODEL [--json] IDS...
// Decodes token ids to text. --json prints {"text": "..."} (bytes that are not valid UTF-8, such
// as half a character, become U+FFFD there); without it the raw bytes are written.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/json_escape.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::apps {

int cmd_detokenize(int argc, char** argv) {
  constexpr const char* kUsage = "usage: fulcrum detokenize MODEL [--json] IDS...\n";
  auto args = Args::parse(argc, argv, ArgSpec{{"--json"}, {}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum detokenize: %s\n%s", args.error().message().c_str(), kUsage);
    return 2;
  }
  const auto& pos = args->positionals();
  if (pos.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto tok = engine::Tokenizer::open(pos[0]);
  if (!tok.ok()) {
    std::fprintf(stderr, "fulcrum detokenize: %s\n", tok.error().to_string().c_str());
    return 1;
  }
  std::vector<engine::TokenId> ids;
  for (size_t i = 1; i < pos.size(); ++i) {
    // Accept "1 2 3" as well as "1,2,3" and "[1, 2, 3]".
    std::string s = pos[i];
    for (char& c : s)
      if (c == ',' || c == '[' || c == ']') c = ' ';
    const char* p = s.c_str();
    while (*p) {
      while (*p == ' ') ++p;
      if (!*p) break;
      char* end = nullptr;
      errno = 0;
      long v = std::strtol(p, &end, 10);
      if (end == p || errno || v < 0 || v >= (*tok)->n_tokens() || (*end && *end != ' ')) {
        std::fprintf(stderr, "fulcrum detokenize: '%s' is not a token id of this model (0..%d)\n",
                     pos[i].c_str(), (*tok)->n_tokens() - 1);
        return 1;
      }
      ids.push_back(static_cast<engine::TokenId>(v));
      p = end;
    }
  }
  std::string text = (*tok)->decode(ids);
  if (args->has("--json")) {
    std::string out = "{\"text\": \"";
    json_escape_append(text, &out);
    out += "\"}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return 0;
}

}  // namespace fulcrum::apps
