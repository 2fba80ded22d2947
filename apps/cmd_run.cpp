// fulcrum run -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P] [--seed S]
//   [--repeat-penalty R] [--repeat-last-n N] [--threads N] [--ctx N] [--json] [--dump-logits FILE]
// fulcrum run -m MODEL --chat [--chat-template NAME | --chat-template-file FILE] [sampling...]
//
// Generates a continuation on the CPU. BOS is added as the model's metadata says; special tokens
// in PROMPT are not parsed. --temp 0 is greedy. --json prints one object: prompt_ids, ids, text,
// finish_reason ("length" | "stop"), prompt_ms, gen_ms (+ tok/s, seed). --dump-logits writes the
// logits of every prompt position as little-endian float32, [n_prompt][n_vocab].
//
// --chat: an interactive chat through the model's chat template (tokenizer.chat_template, or a
// built-in / file given on the command line). Each line read from standard input is a user
// message; the whole conversation is rendered, tokenized (special tokens parsed: they are the
// template's), the KV cache of the common prefix is reused, and the reply streams to standard
// output followed by a newline (with --json: one object per turn, as above). Each turn samples
// like a fresh `run` of the rendered conversation with the same options. EOF ends the chat.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/file_util.h"
#include "engine/chat/chat_template.h"
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

constexpr const char* kUsage =
    "usage: fulcrum run -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P] "
    "[--seed S] [--repeat-penalty R] [--repeat-last-n N] [--threads N] [--ctx N] [--json] "
    "[--dump-logits FILE]\n"
    "       fulcrum run -m MODEL --chat [--chat-template NAME | --chat-template-file FILE] "
    "[same sampling options]\n";

struct RunOptions {
  std::string model, prompt, dump_logits, chat_template, chat_template_file;
  int64_t n_predict = 128;
  int64_t n_ctx = 0;
  int threads = 0;
  bool json = false;
  bool chat = false;
  engine::SamplingParams sampling;
};

Status read_sampling(const Args& a, engine::SamplingParams& s) {
  FULCRUM_TRY(auto temp, a.get_double("--temp", s.temperature));
  FULCRUM_TRY(auto top_k, a.get_int("--top-k", s.top_k));
  FULCRUM_TRY(auto top_p, a.get_double("--top-p", s.top_p));
  FULCRUM_TRY(auto min_p, a.get_double("--min-p", s.min_p));
  FULCRUM_TRY(auto rep, a.get_double("--repeat-penalty", s.repeat_penalty));
  FULCRUM_TRY(auto rep_n, a.get_int("--repeat-last-n", s.repeat_last_n));
  FULCRUM_TRY(auto seed, a.get_int("--seed", -1));
  if (top_k < 0 || top_k > INT32_MAX || rep_n < 0 || rep_n > INT32_MAX)
    return Error(ErrorCode::kInvalidArgument, "--top-k and --repeat-last-n must be >= 0");
  s.temperature = static_cast<float>(temp);
  s.top_k = static_cast<int32_t>(top_k);
  s.top_p = static_cast<float>(top_p);
  s.min_p = static_cast<float>(min_p);
  s.repeat_penalty = static_cast<float>(rep);
  s.repeat_last_n = static_cast<int32_t>(rep_n);
  s.seed = seed < 0 ? std::random_device{}() : static_cast<uint64_t>(seed);
  // Checks the values (temperature >= 0, top_p in (0, 1], ...) before the model is loaded.
  FULCRUM_TRY(auto probe, engine::SamplerChain::create(s, 1));
  (void)probe;
  return {};
}

Result<RunOptions> parse_options(int argc, char** argv) {
  FULCRUM_TRY(auto a, Args::parse(argc, argv,
                                  ArgSpec{{"--json", "--chat"},
                                          {"-m",
                                           "--model",
                                           "-p",
                                           "--prompt",
                                           "-n",
                                           "--n-predict",
                                           "--temp",
                                           "--top-k",
                                           "--top-p",
                                           "--min-p",
                                           "--seed",
                                           "--repeat-penalty",
                                           "--repeat-last-n",
                                           "--threads",
                                           "-t",
                                           "--ctx",
                                           "-c",
                                           "--dump-logits",
                                           "--chat-template",
                                           "--chat-template-file"}}));
  if (!a.positionals().empty())
    return Error(ErrorCode::kInvalidArgument, "unexpected argument '" + a.positionals()[0] + "'");
  RunOptions o;
  o.chat = a.has("--chat");
  o.model = a.get_any({"-m", "--model"}).value_or("");
  auto prompt = a.get_any({"-p", "--prompt"});
  if (o.model.empty() || (!prompt && !o.chat))
    return Error(ErrorCode::kInvalidArgument, "-m MODEL and -p PROMPT (or --chat) are required");
  o.prompt = prompt.value_or("");
  o.json = a.has("--json");
  o.dump_logits = a.get("--dump-logits").value_or("");
  o.chat_template = a.get("--chat-template").value_or("");
  o.chat_template_file = a.get("--chat-template-file").value_or("");
  if (o.chat && (prompt || !o.dump_logits.empty()))
    return Error(ErrorCode::kInvalidArgument,
                 "--chat reads its messages from standard input "
                 "(no -p, no --dump-logits)");
  FULCRUM_TRY(o.n_predict, a.get_int(a.get("-n") ? "-n" : "--n-predict", 128));
  FULCRUM_TRY(o.n_ctx, a.get_int(a.get("-c") ? "-c" : "--ctx", 0));
  FULCRUM_TRY(auto th, a.get_int(a.get("-t") ? "-t" : "--threads", 0));
  if (o.n_predict < 0 || o.n_ctx < 0 || th < 0 || th > 1024)
    return Error(ErrorCode::kInvalidArgument, "-n, --ctx and --threads must be >= 0");
  o.threads = static_cast<int>(th);
  FULCRUM_TRY_STATUS(read_sampling(a, o.sampling));
  return o;
}

Status dump_logits(const std::string& path, const std::vector<float>& logits) {
  // float32 little-endian: the in-memory layout on the little-endian CPUs this engine runs on.
  static_assert(std::endian::native == std::endian::little);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(logits.data()),
            static_cast<std::streamsize>(logits.size() * sizeof(float)));
  out.close();
  if (!out) return Error(ErrorCode::kIo, "cannot write " + path).with_file(path);
  return {};
}

struct Generation {
  std::vector<int32_t> prompt_ids, ids;
  std::string text;
  std::string finish_reason = "length";
  double prompt_ms = 0, gen_ms = 0;
};

// A loaded model with its tokenizer and one context (a sampler chain is made per generation).
struct Session {
  std::unique_ptr<engine::Model> model;
  std::unique_ptr<engine::Tokenizer> tok;
  std::unique_ptr<engine::Context> ctx;
  std::vector<int32_t> cached;  // the tokens whose keys/values the context holds, in order
  const RunOptions* opts = nullptr;
};

// Loads the model and its tokenizer; the context comes later, sized from the request.
Result<Session> load_session(const RunOptions& o) {
  Session s;
  s.opts = &o;
  FULCRUM_TRY(s.model, engine::Model::load(o.model));
  FULCRUM_TRY(s.tok, engine::Tokenizer::from_gguf(s.model->file()));
  return s;
}

// KV cache sized from the request, at most the model's context length.
Status create_context(Session& s, int64_t n_ctx_wanted) {
  const int64_t n_ctx = std::min(n_ctx_wanted, s.model->config().n_ctx_train);
  FULCRUM_TRY(s.ctx, engine::Context::create(*s.model, {n_ctx, 512, s.opts->threads}));
  return {};
}

// Runs `prompt` (reusing the cached prefix) and samples up to n_predict tokens. Pieces are
// written to stdout as they come unless `quiet`; hide_control leaves control tokens' text out.
// all_logits (nullable) receives the logits of every prompt position (no prefix reuse then).
Result<Generation> generate(Session& s, std::vector<int32_t> prompt, bool quiet, bool hide_control,
                            std::vector<float>* all_logits) {
  const RunOptions& o = *s.opts;
  engine::Context& ctx = *s.ctx;
  Generation g;
  g.prompt_ids = std::move(prompt);
  const auto n_prompt = static_cast<int64_t>(g.prompt_ids.size());
  if (n_prompt == 0) return Error(ErrorCode::kInvalidArgument, "the prompt is empty");
  if (n_prompt > ctx.n_ctx())
    return Error(ErrorCode::kInvalidArgument, "the prompt has " + std::to_string(n_prompt) +
                                                  " tokens, more than the context size " +
                                                  std::to_string(ctx.n_ctx()));
  const int64_t n_vocab = ctx.n_vocab();
  // Reuse the longest cached prefix, but always run at least the last prompt token.
  size_t keep = 0;
  if (!all_logits)
    while (keep < s.cached.size() && keep + 1 < g.prompt_ids.size() &&
           s.cached[keep] == g.prompt_ids[keep])
      ++keep;
  ctx.truncate(static_cast<int64_t>(keep));
  s.cached.resize(keep);
  std::span<const int32_t> fresh(g.prompt_ids.data() + keep, g.prompt_ids.size() - keep);
  std::vector<float> logits(static_cast<size_t>(n_vocab));
  std::vector<float>& out = all_logits ? *all_logits : logits;
  if (all_logits) out.resize(static_cast<size_t>(n_prompt * n_vocab));
  auto t0 = Clock::now();
  FULCRUM_TRY_STATUS(
      ctx.forward(fresh, all_logits ? engine::LogitsMode::kAll : engine::LogitsMode::kLast, out));
  s.cached.insert(s.cached.end(), fresh.begin(), fresh.end());
  g.prompt_ms = ms_since(t0);
  if (all_logits) std::copy_n(out.end() - n_vocab, n_vocab, logits.begin());

  FULCRUM_TRY(auto chain, engine::SamplerChain::create(o.sampling, n_vocab));
  for (int32_t t : g.prompt_ids) chain.accept(t);
  t0 = Clock::now();
  for (int64_t i = 0; i < o.n_predict; ++i) {
    const int32_t t = chain.sample(logits);
    if (s.tok->is_eog(t)) {
      g.finish_reason = "stop";
      break;
    }
    chain.accept(t);
    g.ids.push_back(t);
    std::string_view piece = s.tok->token_to_piece(t);
    if (hide_control && s.tok->is_control(t)) piece = {};
    g.text.append(piece);
    if (!quiet) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    }
    if (i + 1 == o.n_predict || ctx.n_past() >= ctx.n_ctx()) break;
    FULCRUM_TRY_STATUS(
        ctx.forward(std::span<const int32_t>(&t, 1), engine::LogitsMode::kLast, logits));
    s.cached.push_back(t);
  }
  g.gen_ms = ms_since(t0);
  return g;
}

nlohmann::json to_json(const Generation& g, uint64_t seed) {
  const double n_gen = static_cast<double>(g.ids.size());
  const double n_p = static_cast<double>(g.prompt_ids.size());
  return {
      {"prompt_ids", g.prompt_ids},
      {"ids", g.ids},
      {"text", g.text},
      {"finish_reason", g.finish_reason},
      {"prompt_ms", g.prompt_ms},
      {"gen_ms", g.gen_ms},
      {"prompt_tok_per_s", g.prompt_ms > 0 ? n_p * 1000.0 / g.prompt_ms : 0.0},
      {"gen_tok_per_s", g.gen_ms > 0 ? n_gen * 1000.0 / g.gen_ms : 0.0},
      {"seed", seed},
  };
}

void print_json(const nlohmann::json& j) {
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::fflush(stdout);
}

int run_once(const RunOptions& o) {
  auto session = load_session(o);
  if (!session.ok()) return fail(session.error().to_string());
  Session& s = *session;
  auto ids = s.tok->encode(o.prompt, /*add_special=*/true, /*parse_special=*/false);
  const int64_t n_ctx =
      o.n_ctx > 0 ? o.n_ctx : static_cast<int64_t>(ids.size()) + std::max<int64_t>(o.n_predict, 1);
  if (Status st = create_context(s, n_ctx); !st.ok()) return fail(st.error().to_string());
  std::vector<float> all;
  const bool dump = !o.dump_logits.empty();
  auto g = generate(s, std::move(ids), o.json, /*hide_control=*/false, dump ? &all : nullptr);
  if (!g.ok()) return fail(g.error().to_string());
  if (dump)
    if (Status st = dump_logits(o.dump_logits, all); !st.ok()) return fail(st.error().to_string());
  if (o.json) {
    print_json(to_json(*g, o.sampling.seed));
  } else {
    std::printf("\n");
    std::fprintf(stderr,
                 "prompt: %zu tokens in %.1f ms; generated %zu tokens in %.1f ms (%.1f tok/s); "
                 "finish_reason %s\n",
                 g->prompt_ids.size(), g->prompt_ms, g->ids.size(), g->gen_ms,
                 static_cast<double>(g->ids.size()) * 1000.0 / std::max(g->gen_ms, 1e-9),
                 g->finish_reason.c_str());
  }
  return 0;
}

// The chat template: --chat-template-file, else the built-in --chat-template, else the model's.
Result<std::string> chat_template_source(const RunOptions& o, const gguf::GgufFile& f) {
  if (!o.chat_template_file.empty()) return read_file(o.chat_template_file);
  if (!o.chat_template.empty()) {
    auto b = engine::chat::builtin_template(o.chat_template);
    if (!b)
      return Error(ErrorCode::kInvalidArgument,
                   "unknown built-in chat template '" + o.chat_template + "'");
    return std::string(*b);
  }
  FULCRUM_TRY(auto tpl, f.get_string("tokenizer.chat_template"));
  if (!tpl)
    return Error(ErrorCode::kNotFound,
                 "the model has no tokenizer.chat_template; choose one with --chat-template NAME "
                 "(chatml, llama2, llama3, mistral, gemma, phi3) or --chat-template-file FILE")
        .with_file(o.model);
  return std::string(*tpl);
}

int run_chat(const RunOptions& o) {
  auto session = load_session(o);
  if (!session.ok()) return fail(session.error().to_string());
  Session& s = *session;
  if (Status st = create_context(s, o.n_ctx > 0 ? o.n_ctx : INT64_MAX); !st.ok())
    return fail(st.error().to_string());
  auto source = chat_template_source(o, s.model->file());
  if (!source.ok()) return fail(source.error().to_string());
  auto tpl = engine::chat::ChatTemplate::parse(*source);
  if (!tpl.ok()) return fail("chat template: " + tpl.error().to_string());
  const engine::Tokenizer& tok = *s.tok;
  engine::chat::ChatInput input;
  input.add_generation_prompt = true;
  if (tok.special().bos != engine::kNoToken) input.bos_token = tok.token_text(tok.special().bos);
  if (tok.special().eos != engine::kNoToken) input.eos_token = tok.token_text(tok.special().eos);
  std::string line;
  while (true) {
    if (!o.json) std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    input.messages.push_back({{"role", "user"}, {"content", line}});
    auto text = tpl->render(input);
    if (!text.ok()) return fail("chat template: " + text.error().to_string());
    // BOS as the metadata says, unless the template wrote it itself.
    const bool add_bos = tok.add_bos() && (input.bos_token.empty() ||
                                           !std::string_view(*text).starts_with(input.bos_token));
    std::vector<int32_t> ids;
    if (add_bos) ids.push_back(tok.special().bos);
    tok.encode(*text, /*add_special=*/false, /*parse_special=*/true, &ids);
    auto g = generate(s, std::move(ids), o.json, /*hide_control=*/true, nullptr);
    if (!g.ok()) return fail(g.error().to_string());
    input.messages.push_back({{"role", "assistant"}, {"content", g->text}});
    if (o.json) {
      print_json(to_json(*g, o.sampling.seed));
    } else {
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  auto opts = parse_options(argc, argv);
  if (!opts.ok()) {
    std::fprintf(stderr, "%s%s\n", kUsage, opts.error().to_string().c_str());
    return 2;
  }
  return opts->chat ? run_chat(*opts) : run_once(*opts);
}

}  // namespace fulcrum::apps
