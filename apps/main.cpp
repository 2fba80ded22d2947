// fulcrum: one binary, subcommands dispatched from one table.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#if defined(FULCRUM_MIMALLOC)
#include <mimalloc.h>
#endif

#include "apps/commands.h"

namespace {

struct Command {
  std::string_view name;
  int (*fn)(int, char**);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"inspect", fulcrum::apps::cmd_inspect, "print a model card for a GGUF file (--json)"},
    {"tokenize", fulcrum::apps::cmd_tokenize, "text to token ids: MODEL [--file F | TEXT] (--json)"},
    {"detokenize", fulcrum::apps::cmd_detokenize, "token ids to text: MODEL IDS... (--json)"},
    {"template", fulcrum::apps::cmd_template, "chat template to text: MODEL --input CASE.json"},
    {"classify", fulcrum::apps::cmd_classify, "find sensitive data in a text (--json)"},
    {"quantize", fulcrum::apps::cmd_quantize, "requantize a model: IN OUT TYPE [--dry-run]"},
    {"run", fulcrum::apps::cmd_run, "generate text from a GGUF model on the CPU (-m -p; --json)"},
    {"perplexity", fulcrum::apps::cmd_perplexity, "perplexity of a model on a text file (--json)"},
    {"serve", fulcrum::apps::cmd_serve, "run the OpenAI/Anthropic-compatible gateway (--config)"},
};

// The allocator behind malloc in this process, as it is (not as it was configured): mimalloc only
// when a block from malloc lies in mimalloc's heap.
std::string allocator_in_use() {
#if defined(FULCRUM_MIMALLOC)
  void* p = std::calloc(1, 16);
  bool ours = p != nullptr && mi_is_in_heap_region(p);
  std::free(p);
  if (ours) {
    int v = mi_version();  // e.g. 209 for 2.0.9
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10);
  }
  return "malloc (mimalloc linked but not in use)";
#else
  return "malloc";
#endif
}

void usage(FILE* out) {
  std::fprintf(out, "usage: fulcrum <command> [args]\n\ncommands:\n");
  for (const auto& c : kCommands)
    std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("fulcrum %s (allocator: %s)\n", FULCRUM_VERSION, allocator_in_use().c_str());
    return 0;
  }
  std::string_view name = argv[1];
  for (const auto& c : kCommands)
    if (c.name == name) return c.fn(argc - 2, argv + 2);
  std::fprintf(stderr, "fulcrum: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
