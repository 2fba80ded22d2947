#include "engine/chat/chat_template.h"

#include <cstdio>
#include <ctime>

#include "engine/chat/jinja_parser.h"

namespace fulcrum::engine::chat {

namespace {

Result<std::tm> parse_now(const std::string& now) {
  std::tm tm{};
  if (now.empty()) {
    std::time_t t = std::time(nullptr);
    gmtime_r(&t, &tm);
    return tm;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = std::sscanf(now.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  if (n != 3 && n != 6) {
    return Error(ErrorCode::kInvalidArgument,
                 "'now' must be an ISO date/time like 2026-07-26T12:00:00, got '" + now + "'");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1) {
    return Error(ErrorCode::kInvalidArgument, "'now' is out of range: '" + now + "'");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);  // normalises and fills tm_wday / tm_yday
  std::tm out{};
  gmtime_r(&t, &out);
  return out;
}

}  // namespace

Result<ChatInput> chat_input_from_json(const nlohmann::ordered_json& j) {
  if (!j.is_object()) return Error(ErrorCode::kInvalidArgument, "chat input must be a JSON object");
  ChatInput in;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "messages") {
      if (!it->is_array()) {
        return Error(ErrorCode::kInvalidArgument, "'messages' must be an array").with_field(k);
      }
      in.messages = *it;
    } else if (k == "add_generation_prompt") {
      if (!it->is_boolean()) {
        return Error(ErrorCode::kInvalidArgument, "'add_generation_prompt' must be a boolean")
            .with_field(k);
      }
      in.add_generation_prompt = it->get<bool>();
    } else if (k == "tools") {
      in.tools = *it;
    } else {
      in.extra[k] = *it;
    }
  }
  return in;
}

Result<ChatTemplate> ChatTemplate::parse(std::string_view source) {
  FULCRUM_TRY(std::unique_ptr<Template> tpl, parse_template(source));
  ChatTemplate out;
  out.tpl_ = std::move(tpl);
  return out;
}

Result<std::string> ChatTemplate::render(const ChatInput& input,
                                         const RenderLimits& limits) const {
  Heap heap(limits.max_objects);
  Interpreter interp(limits, &heap);
  FULCRUM_TRY(std::tm now, parse_now(input.now));
  interp.set_now(now);
  for (auto it = input.extra.begin(); it != input.extra.end(); ++it) {
    FULCRUM_TRY(Value v, heap.from_json(*it));
    interp.set_global(it.key(), std::move(v));
  }
  FULCRUM_TRY(Value messages, heap.from_json(input.messages));
  interp.set_global("messages", std::move(messages));
  if (input.tools) {
    FULCRUM_TRY(Value tools, heap.from_json(*input.tools));
    interp.set_global("tools", std::move(tools));
  }
  interp.set_global("add_generation_prompt", Value::boolean(input.add_generation_prompt));
  interp.set_global("bos_token", Value::string(input.bos_token));
  interp.set_global("eos_token", Value::string(input.eos_token));
  return interp.render(*tpl_);
}

Result<std::string> render_chat(std::string_view template_source, const ChatInput& input,
                                const RenderLimits& limits) {
  FULCRUM_TRY(ChatTemplate tpl, ChatTemplate::parse(template_source));
  return tpl.render(input, limits);
}

}  // namespace fulcrum::engine::chat
