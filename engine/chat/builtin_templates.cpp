// Built-in chat templates for models whose GGUF carries no tokenizer.chat_template. Each is the
// family's documented prompt format written as Jinja for our interpreter; content that is not a
// string is rendered with `string`, a system message goes where the family expects it.
#include <array>
#include <utility>

#include "engine/chat/chat_template.h"

namespace fulcrum::engine::chat {

namespace {

constexpr std::string_view kChatml = R"JINJA(
{%- for message in messages -%}
{{- '<|im_start|>' ~ message.role ~ '\n' ~ (message.content if message.content is string else message.content | tojson if message.content is not none else '') ~ '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|im_start|>assistant\n' -}}
{%- endif -%}
)JINJA";

constexpr std::string_view kLlama2 = R"JINJA(
{%- if messages and messages[0].role == 'system' -%}
{%- set system = messages[0].content -%}
{%- set turns = messages[1:] -%}
{%- else -%}
{%- set system = none -%}
{%- set turns = messages -%}
{%- endif -%}
{%- for message in turns -%}
{%- if message.role == 'user' -%}
{%- set text = message.content | string -%}
{%- if loop.first and system is not none -%}
{%- set text = '<<SYS>>\n' ~ system ~ '\n<</SYS>>\n\n' ~ text -%}
{%- endif -%}
{{- bos_token ~ '[INST] ' ~ text | trim ~ ' [/INST]' -}}
{%- elif message.role == 'assistant' -%}
{{- ' ' ~ (message.content | string) | trim ~ ' ' ~ eos_token -}}
{%- else -%}
{{- raise_exception('llama2 template: unsupported role ' ~ message.role) -}}
{%- endif -%}
{%- endfor -%}
)JINJA";

constexpr std::string_view kLlama3 = R"JINJA(
{{- bos_token -}}
{%- for message in messages -%}
{{- '<|start_header_id|>' ~ message.role ~ '<|end_header_id|>\n\n' ~ (message.content | string) | trim ~ '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
{%- endif -%}
)JINJA";

constexpr std::string_view kMistral = R"JINJA(
{%- if messages and messages[0].role == 'system' -%}
{%- set system = messages[0].content -%}
{%- set turns = messages[1:] -%}
{%- else -%}
{%- set system = none -%}
{%- set turns = messages -%}
{%- endif -%}
{{- bos_token -}}
{%- for message in turns -%}
{%- if message.role == 'user' -%}
{%- set text = message.content | string -%}
{%- if loop.first and system is not none -%}
{%- set text = system ~ '\n\n' ~ text -%}
{%- endif -%}
{{- '[INST] ' ~ text ~ ' [/INST]' -}}
{%- elif message.role == 'assistant' -%}
{{- (message.content | string) ~ eos_token -}}
{%- else -%}
{{- raise_exception('mistral template: unsupported role ' ~ message.role) -}}
{%- endif -%}
{%- endfor -%}
)JINJA";

constexpr std::string_view kGemma = R"JINJA(
{%- if messages and messages[0].role == 'system' -%}
{%- set system = messages[0].content ~ '\n\n' -%}
{%- set turns = messages[1:] -%}
{%- else -%}
{%- set system = '' -%}
{%- set turns = messages -%}
{%- endif -%}
{{- bos_token -}}
{%- for message in turns -%}
{%- set role = 'model' if message.role == 'assistant' else message.role -%}
{{- '<start_of_turn>' ~ role ~ '\n' ~ (system if loop.first else '') ~ (message.content | string) | trim ~ '<end_of_turn>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<start_of_turn>model\n' -}}
{%- endif -%}
)JINJA";

constexpr std::string_view kPhi3 = R"JINJA(
{%- for message in messages -%}
{{- '<|' ~ message.role ~ '|>\n' ~ (message.content | string) ~ '<|end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{- '<|assistant|>\n' -}}
{%- else -%}
{{- eos_token -}}
{%- endif -%}
)JINJA";

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kBuiltins = {{
    {"chatml", kChatml},
    {"llama2", kLlama2},
    {"llama3", kLlama3},
    {"mistral", kMistral},
    {"gemma", kGemma},
    {"phi3", kPhi3},
}};

}  // namespace

std::optional<std::string_view> builtin_template(std::string_view name) {
  for (const auto& [n, src] : kBuiltins)
    if (n == name) return src;
  return std::nullopt;
}

std::vector<std::string_view> builtin_template_names() {
  std::vector<std::string_view> out;
  for (const auto& kv : kBuiltins) out.push_back(kv.first);
  return out;
}

}  // namespace fulcrum::engine::chat
