// fulcrum quantize IN.gguf OUT.gguf TYPE [--dry-run] [--threads N] [--json]: writes a copy of a
// model with its weights in TYPE (a plain type is pure; Q4_K_M, Q5_K_M, Q4_K_S, ... are
// llama.cpp's mixed recipes). --dry-run prints the size it would write and writes nothing.
#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/thread_pool.h"
#include "engine/model/quant_recipe.h"
#include "engine/model/quantizer.h"
#include "kernels/ggml_type.h"

namespace fulcrum::apps {

int cmd_quantize(int argc, char** argv) {
  auto args = Args::parse(argc, argv, ArgSpec{{"--dry-run", "--json"}, {"--threads", "-t"}});
  if (!args.ok() || args->positionals().size() != 3) {
    std::fprintf(stderr,
                 "usage: fulcrum quantize IN.gguf OUT.gguf TYPE [--dry-run] [--threads N] "
                 "[--json]\n%s\ntypes: %s\n",
                 args.ok() ? "" : args.error().to_string().c_str(),
                 std::string(engine::QuantRecipe::names()).c_str());
    return 2;
  }
  const auto& pos = args->positionals();
  auto recipe = engine::QuantRecipe::parse(pos[2]);
  if (!recipe.ok()) {
    std::fprintf(stderr, "fulcrum quantize: %s\n", recipe.error().to_string().c_str());
    return 2;
  }
  auto threads = args->get_int(args->get("-t") ? "-t" : "--threads", ThreadPool::default_threads());
  if (!threads.ok() || *threads < 1) {
    std::fprintf(stderr, "fulcrum quantize: --threads must be a positive integer\n");
    return 2;
  }
  const bool dry = args->has("--dry-run");
  auto rep = engine::quantize_model(pos[0], pos[1], *recipe, static_cast<int>(*threads), dry);
  if (!rep.ok()) {
    std::fprintf(stderr, "fulcrum quantize: %s\n", rep.error().to_string().c_str());
    return 1;
  }
  std::map<std::string, int> counts;
  for (const auto& t : rep->tensors) ++counts[std::string(kernels::ggml_type_name(t.to))];
  if (args->has("--json")) {
    nlohmann::json j = {{"input", pos[0]},           {"output", dry ? "" : pos[1]},
                        {"type", recipe->name()},    {"dry_run", dry},
                        {"in_bytes", rep->in_bytes}, {"out_bytes", rep->out_bytes},
                        {"tensor_types", counts}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::string mix;
  for (const auto& [name, n] : counts) mix += " " + name + ":" + std::to_string(n);
  std::printf(
      "%s %s -> %s: %llu bytes -> %llu bytes (%.2f MiB);%s\n", dry ? "dry run:" : "quantized",
      pos[0].c_str(), recipe->name().c_str(), static_cast<unsigned long long>(rep->in_bytes),
      static_cast<unsigned long long>(rep->out_bytes), rep->out_bytes / 1048576.0, mix.c_str());
  return 0;
}

}  // namespace fulcrum::apps
