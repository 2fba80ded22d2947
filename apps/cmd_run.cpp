// fulcrum run -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P] [--seed S]
//   [--repeat-penalty R] [--threads N] [--ctx N] [--json] [--dump-logits FILE]
// Generates a continuation on the CPU. BOS is added as the model's metadata says; special tokens
// in PROMPT are not parsed. --temp 0 is greedy. --json prints one object: prompt_ids, ids, text,
// finish_reason ("length" | "stop"), prompt_ms, gen_ms (+ tok/s). --dump-logits writes the logits
// of every prompt position as little-endian float32, [n_prompt][n_vocab].
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "engine/model/context.h"
#include "engine/model/model.h"
#include "engine/sampler/sampler_chain.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::apps {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "fulcrum run: %s\n", msg.c_str());
  return 1;
}

struct RunOptions {
  std::string model, prompt, dump_logits;
  int64_t n_predict = 128;
  int64_t n_ctx = 0;
  int threads = 0;
  bool json = false;
  engine::SamplingParams sampling;
};

Result<RunOptions> parse_options(int argc, char** argv) {
  FULCRUM_TRY(auto a, Args::parse(argc, argv,
                                  ArgSpec{{"--json", "--chat"},
                                          {"-m", "--model", "-p", "--prompt", "-n", "--n-predict",
                                           "--temp", "--top-k", "--top-p", "--min-p", "--seed",
                                           "--repeat-penalty", "--repeat-last-n", "--threads", "-t",
                                           "--ctx", "-c", "--dump-logits"}}));
  if (a.has("--chat"))
    return Error(ErrorCode::kUnimplemented, "--chat is not available in this build yet");
  RunOptions o;
  o.model = a.get_any({"-m", "--model"}).value_or("");
  auto prompt = a.get_any({"-p", "--prompt"});
  if (o.model.empty() || !prompt)
    return Error(ErrorCode::kInvalidArgument, "-m MODEL and -p PROMPT are required");
  o.prompt = *prompt;
  o.json = a.has("--json");
  o.dump_logits = a.get("--dump-logits").value_or("");
  auto n_opt = a.get("-n") ? "-n" : "--n-predict";
  FULCRUM_TRY(o.n_predict, a.get_int(n_opt, 128));
  FULCRUM_TRY(o.n_ctx, a.get_int(a.get("-c") ? "-c" : "--ctx", 0));
  FULCRUM_TRY(auto th, a.get_int(a.get("-t") ? "-t" : "--threads", 0));
  o.threads = static_cast<int>(th);
  engine::SamplingParams& s = o.sampling;
  FULCRUM_TRY(auto temp, a.get_double("--temp", s.temperature));
  FULCRUM_TRY(auto top_k, a.get_int("--top-k", s.top_k));
  FULCRUM_TRY(auto top_p, a.get_double("--top-p", s.top_p));
  FULCRUM_TRY(auto min_p, a.get_double("--min-p", s.min_p));
  FULCRUM_TRY(auto rep, a.get_double("--repeat-penalty", s.repeat_penalty));
  FULCRUM_TRY(auto rep_n, a.get_int("--repeat-last-n", s.repeat_last_n));
  FULCRUM_TRY(auto seed, a.get_int("--seed", -1));
  if (o.n_predict < 0 || o.n_ctx < 0 || th < 0 || top_k < 0 || rep_n < 0)
    return Error(ErrorCode::kInvalidArgument, "-n, --ctx, --threads, --top-k must be >= 0");
  s.temperature = static_cast<float>(temp);
  s.top_k = static_cast<int32_t>(top_k);
  s.top_p = static_cast<float>(top_p);
  s.min_p = static_cast<float>(min_p);
  s.repeat_penalty = static_cast<float>(rep);
  s.repeat_last_n = static_cast<int32_t>(rep_n);
  s.seed = seed < 0 ? std::random_device{}() : static_cast<uint64_t>(seed);
  return o;
}

Status dump_logits(const std::string& path, const std::vector<float>& logits) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(logits.data()),
            static_cast<std::streamsize>(logits.size() * sizeof(float)));
  if (!out) return Error(ErrorCode::kIo, "cannot write " + path).with_file(path);
  return {};
}

struct Generation {
  std::vector<int32_t> prompt_ids, ids;
  std::string text;
  std::string finish_reason = "length";
  double prompt_ms = 0, gen_ms = 0;
};

Result<Generation> generate(const RunOptions& o) {
  FULCRUM_TRY(auto model, engine::Model::load(o.model));
  FULCRUM_TRY(auto tok, engine::Tokenizer::from_gguf(model->file()));
  Generation g;
  g.prompt_ids = tok->encode(o.prompt, /*add_special=*/true, /*parse_special=*/false);
  if (g.prompt_ids.empty()) return Error(ErrorCode::kInvalidArgument, "the prompt is empty");
  const int64_t n_prompt = static_cast<int64_t>(g.prompt_ids.size());
  // KV cache sized from the request, at most the model's context length.
  int64_t n_ctx = o.n_ctx > 0 ? o.n_ctx : n_prompt + std::max<int64_t>(o.n_predict, 1);
  n_ctx = std::min(n_ctx, model->config().n_ctx_train);
  if (n_prompt > n_ctx)
    return Error(ErrorCode::kInvalidArgument, "the prompt has " + std::to_string(n_prompt) +
                                                  " tokens, more than the context size " +
                                                  std::to_string(n_ctx));
  FULCRUM_TRY(auto ctx, engine::Context::create(*model, {n_ctx, 512, o.threads}));
  FULCRUM_TRY(auto chain, engine::SamplerChain::create(o.sampling, model->config().n_vocab));
  const int64_t n_vocab = model->config().n_vocab;
  const bool all = !o.dump_logits.empty();
  std::vector<float> logits(static_cast<size_t>((all ? n_prompt : 1) * n_vocab));
  auto t0 = Clock::now();
  FULCRUM_TRY_STATUS(ctx->forward(
      g.prompt_ids, all ? engine::LogitsMode::kAll : engine::LogitsMode::kLast, logits));
  g.prompt_ms = ms_since(t0);
  if (all) FULCRUM_TRY_STATUS(dump_logits(o.dump_logits, logits));
  std::span<const float> last(logits.data() + (all ? (n_prompt - 1) * n_vocab : 0),
                              static_cast<size_t>(n_vocab));
  for (int32_t t : g.prompt_ids) chain.accept(t);
  t0 = Clock::now();
  for (int64_t i = 0; i < o.n_predict; ++i) {
    const int32_t t = chain.sample(last);
    if (tok->is_eog(t)) {
      g.finish_reason = "stop";
      break;
    }
    chain.accept(t);
    g.ids.push_back(t);
    std::string_view piece = tok->token_to_piece(t);
    g.text.append(piece);
    if (!o.json) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    }
    if (i + 1 == o.n_predict || ctx->n_past() >= ctx->n_ctx()) break;
    FULCRUM_TRY_STATUS(ctx->forward(std::span<const int32_t>(&t, 1), engine::LogitsMode::kLast,
                                    std::span<float>(logits.data(), n_vocab)));
    last = std::span<const float>(logits.data(), static_cast<size_t>(n_vocab));
  }
  g.gen_ms = ms_since(t0);
  return g;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  auto opts = parse_options(argc, argv);
  if (!opts.ok()) {
    std::fprintf(stderr,
                 "usage: fulcrum run -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] "
                 "[--top-p P] [--min-p P] [--seed S] [--repeat-penalty R] [--threads N] "
                 "[--json] [--dump-logits FILE]\n%s\n",
                 opts.error().to_string().c_str());
    return 2;
  }
  auto g = generate(*opts);
  if (!g.ok()) return fail(g.error().to_string());
  const double n_gen = static_cast<double>(g->ids.size());
  const double n_p = static_cast<double>(g->prompt_ids.size());
  if (opts->json) {
    nlohmann::json j = {
        {"prompt_ids", g->prompt_ids},
        {"ids", g->ids},
        {"text", g->text},
        {"finish_reason", g->finish_reason},
        {"prompt_ms", g->prompt_ms},
        {"gen_ms", g->gen_ms},
        {"prompt_tok_per_s", g->prompt_ms > 0 ? n_p * 1000.0 / g->prompt_ms : 0.0},
        {"gen_tok_per_s", g->gen_ms > 0 ? n_gen * 1000.0 / g->gen_ms : 0.0},
        {"seed", opts->sampling.seed},
    };
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("\n");
    std::fprintf(stderr,
                 "prompt: %zu tokens in %.1f ms (%.1f tok/s); generated %zu tokens in "
                 "%.1f ms (%.1f tok/s); finish_reason %s\n",
                 g->prompt_ids.size(), g->prompt_ms, n_p * 1000.0 / std::max(g->prompt_ms, 1e-9),
                 g->ids.size(), g->gen_ms, n_gen * 1000.0 / std::max(g->gen_ms, 1e-9),
                 g->finish_reason.c_str());
  }
  return 0;
}

}  // namespace fulcrum::apps
