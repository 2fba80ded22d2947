// fulcrum template (MODEL | --template FILE.jinja | --builtin NAME) --input CASE.json
//                  [--bos S] [--eos S] [--now ISO] [--builtin NAME]
// Renders a chat template over one conversation and prints exactly the rendered text (nothing
// added, no newline). CASE.json is {"messages": [...], "add_generation_prompt": bool,
// "tools": [...]} (other keys become template variables too); "-" reads standard input.
// The template: --template FILE; else --builtin NAME (chatml, llama2, llama3, mistral, gemma,
// phi3); else MODEL's `tokenizer.chat_template`. BOS/EOS default to MODEL's tokens' texts (empty
// without a model). --now fixes the clock of strftime_now (YYYY-MM-DDTHH:MM:SS).
// Exit status: 0 rendered; 1 the template failed (its error, with the message a template raised,
// on stderr) or a file could not be read; 2 bad usage.
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "core/file_util.h"
#include "engine/chat/chat_template.h"
#include "engine/tokenizer/vocab.h"
#include "gguf/gguf_file.h"

namespace fulcrum::apps {
namespace {

constexpr const char* kUsage =
    "usage: fulcrum template (MODEL | --template FILE.jinja | --builtin NAME) --input CASE.json\n"
    "                        [--bos S] [--eos S] [--now YYYY-MM-DDTHH:MM:SS]\n"
    "built-in templates (--builtin): chatml, llama2, llama3, mistral, gemma, phi3\n";

int fail(const std::string& msg) {
  std::fprintf(stderr, "fulcrum template: %s\n", msg.c_str());
  return 1;
}

struct TemplateSource {
  std::string text;
  std::string bos, eos;  // the model's tokens' texts; empty without a model
};

// The model's chat template (when `want_template`) and its BOS/EOS texts.
Result<TemplateSource> from_model(const std::string& path, bool want_template) {
  FULCRUM_TRY(auto file, gguf::GgufFile::open(path));
  TemplateSource src;
  if (want_template) {
    FULCRUM_TRY(auto tpl, file.get_string("tokenizer.chat_template"));
    if (!tpl) {
      std::string names;
      for (auto n : engine::chat::builtin_template_names())
        names += (names.empty() ? "" : ", ") + std::string(n);
      return Error(ErrorCode::kNotFound,
                   "the model has no tokenizer.chat_template; choose a built-in with --builtin "
                   "NAME (" +
                       names + ")")
          .with_file(path);
    }
    src.text = std::string(*tpl);
  }
  FULCRUM_TRY(engine::Vocab vocab, engine::load_vocab(file));
  if (vocab.valid(vocab.special.bos)) src.bos = vocab.texts[vocab.special.bos];
  if (vocab.valid(vocab.special.eos)) src.eos = vocab.texts[vocab.special.eos];
  return src;
}

Result<TemplateSource> load_source(const Args& args) {
  const auto& pos = args.positionals();
  auto file = args.get("--template");
  auto builtin = args.get("--builtin");
  TemplateSource src;
  if (!pos.empty()) {
    FULCRUM_TRY(src, from_model(pos[0], !file && !builtin));
  }
  if (file) {
    FULCRUM_TRY(src.text, read_file(*file));
  } else if (builtin) {
    auto text = engine::chat::builtin_template(*builtin);
    if (!text)
      return Error(ErrorCode::kInvalidArgument, "unknown built-in template '" + *builtin + "'");
    src.text = std::string(*text);
  }
  return src;
}

}  // namespace

int cmd_template(int argc, char** argv) {
  auto args = Args::parse(
      argc, argv, ArgSpec{{}, {"--template", "--builtin", "--input", "--bos", "--eos", "--now"}});
  if (!args.ok()) {
    std::fprintf(stderr, "fulcrum template: %s\n%s", args.error().message().c_str(), kUsage);
    return 2;
  }
  const auto& pos = args->positionals();
  const bool has_source = args->get("--template") || args->get("--builtin");
  auto input_path = args->get("--input");
  if (pos.size() > 1 || (pos.empty() && !has_source) || !input_path ||
      (args->get("--template") && args->get("--builtin"))) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto src = load_source(*args);
  if (!src.ok()) return fail(src.error().to_string());

  auto raw = read_file(*input_path);
  if (!raw.ok()) return fail(raw.error().to_string());
  auto json = nlohmann::ordered_json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return fail(*input_path + ": not valid JSON");
  auto input = engine::chat::chat_input_from_json(json);
  if (!input.ok()) return fail(*input_path + ": " + input.error().to_string());
  input->bos_token = args->get("--bos").value_or(src->bos);
  input->eos_token = args->get("--eos").value_or(src->eos);
  input->now = args->get("--now").value_or("");

  auto text = engine::chat::render_chat(src->text, *input);
  if (!text.ok()) return fail(text.error().to_string());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace fulcrum::apps
