// fulcrum perplexity -m MODEL -f TEXT_FILE [--ctx N] [--threads N] [--json]: llama.cpp's
// perplexity (engine/model/perplexity.h): the tokenized file (with BOS where the model adds it)
// in chunks of N tokens, each starting with BOS, NLL averaged over the second half of each chunk.
// Prints {"ppl": …, "n_chunks": …, "n_ctx": …} with --json.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/file_util.h"
#include "engine/model/context.h"
#include "engine/model/model.h"
#include "engine/model/perplexity.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::apps {
namespace {

struct PplRun {
  engine::PerplexityResult r;
  size_t n_tokens = 0;
  double seconds = 0;
};

Result<PplRun> run_perplexity(const std::string& model_path, const std::string& text_path,
                              int64_t n_ctx, int threads) {
  FULCRUM_TRY(auto model, engine::Model::load(model_path));
  FULCRUM_TRY(auto tok, engine::Tokenizer::from_gguf(model->file()));
  FULCRUM_TRY(auto text, read_file(text_path));
  if (n_ctx == 0) n_ctx = std::min<int64_t>(512, model->config().n_ctx_train);
  if (n_ctx > model->config().n_ctx_train)
    return Error(ErrorCode::kInvalidArgument, "--ctx " + std::to_string(n_ctx) +
                                                  " exceeds the model's context_length " +
                                                  std::to_string(model->config().n_ctx_train));
  PplRun run;
  auto ids = tok->encode(text, /*add_special=*/true, /*parse_special=*/false);
  run.n_tokens = ids.size();
  std::optional<int32_t> bos;
  if (tok->add_bos() && tok->special().bos != engine::kNoToken) bos = tok->special().bos;
  FULCRUM_TRY(auto ctx, engine::Context::create(*model, {n_ctx, n_ctx, threads}));
  auto t0 = std::chrono::steady_clock::now();
  FULCRUM_TRY(run.r, engine::perplexity(*ctx, ids, n_ctx, bos));
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
  auto a = Args::parse(
      argc, argv,
      ArgSpec{{"--json"}, {"-m", "--model", "-f", "--file", "--ctx", "-c", "--threads", "-t"}});
  std::optional<std::string> model, file;
  if (a.ok()) {
    model = a->get_any({"-m", "--model"});
    file = a->get_any({"-f", "--file"});
  }
  if (!a.ok() || !model || !file) {
    std::fprintf(stderr,
                 "usage: fulcrum perplexity -m MODEL -f TEXT_FILE [--ctx N] "
                 "[--threads N] [--json]\n%s\n",
                 a.ok() ? "" : a.error().to_string().c_str());
    return 2;
  }
  auto n_ctx = a->get_int(a->get("-c") ? "-c" : "--ctx", 0);
  auto threads = a->get_int(a->get("-t") ? "-t" : "--threads", 0);
  if (!n_ctx.ok() || !threads.ok() || *n_ctx < 0 || *threads < 0) {
    std::fprintf(stderr, "fulcrum perplexity: --ctx and --threads must be integers >= 0\n");
    return 2;
  }
  auto run = run_perplexity(*model, *file, *n_ctx, static_cast<int>(*threads));
  if (!run.ok()) {
    std::fprintf(stderr, "fulcrum perplexity: %s\n", run.error().to_string().c_str());
    return 1;
  }
  const auto& r = run->r;
  if (a->has("--json")) {
    nlohmann::json j = {{"ppl", r.ppl},           {"n_chunks", r.n_chunks},
                        {"n_ctx", r.n_ctx},       {"mean_nll", r.mean_nll},
                        {"n_scored", r.n_scored}, {"n_tokens", run->n_tokens},
                        {"seconds", run->seconds}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "perplexity %.4f (ln %.4f) over %lld chunks of %lld tokens (%lld scored) in "
        "%.2f s\n",
        r.ppl, r.mean_nll, static_cast<long long>(r.n_chunks), static_cast<long long>(r.n_ctx),
        static_cast<long long>(r.n_scored), run->seconds);
  }
  return 0;
}

}  // namespace fulcrum::apps
