// Chat templates: render a model's `tokenizer.chat_template` (Jinja) over a conversation the way
// Hugging Face's apply_chat_template does (trim_blocks, lstrip_blocks, loop controls, a tojson
// that keeps non-ASCII, raise_exception and strftime_now), plus named built-in templates for
// models that ship none.
//
//   FULCRUM_TRY(auto tpl, ChatTemplate::parse(source));
//   FULCRUM_TRY(std::string prompt, tpl.render(input));
//
// A bad template or a template that raises is an Error (kParse for syntax, kInvalidArgument for
// runtime errors: both 400 at the API), never a crash or an endless loop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/chat/jinja_interpreter.h"

namespace fulcrum::engine::chat {

struct Template;

struct ChatInput {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  std::optional<nlohmann::ordered_json> tools;  // defined for the template only when set
  bool add_generation_prompt = false;
  std::string bos_token;
  std::string eos_token;
  std::string now;  // "YYYY-MM-DDTHH:MM:SS" for strftime_now; empty: the current UTC time
  // Further variables (e.g. "documents", "enable_thinking"), given to the template as is.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

// Reads {"messages": [...], "add_generation_prompt": bool, "tools": [...], other keys → extra}.
Result<ChatInput> chat_input_from_json(const nlohmann::ordered_json& j);

class ChatTemplate {
 public:
  static Result<ChatTemplate> parse(std::string_view source);
  Result<std::string> render(const ChatInput& input, const RenderLimits& limits = {}) const;

 private:
  std::shared_ptr<const Template> tpl_;
};

// Parses and renders in one go.
Result<std::string> render_chat(std::string_view template_source, const ChatInput& input,
                                const RenderLimits& limits = {});

// Built-in templates by name: chatml, llama2, llama3, mistral, gemma, phi3.
std::optional<std::string_view> builtin_template(std::string_view name);
std::vector<std::string_view> builtin_template_names();

}  // namespace fulcrum::engine::chat
