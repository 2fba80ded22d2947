// Anthropic Messages API wire shapes, following the public reference
// (docs.anthropic.com/en/api/messages): requests in (client -> Fulcrum) and out (Fulcrum ->
// Anthropic), whole responses both ways, errors. The streaming event sequence is in
// anthropic_stream_json.cpp.
#include "api/anthropic_json.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/json_util.h"

namespace fulcrum::api {
namespace {

using detail::bad_field;
using detail::find;
using detail::JsonArray;
using detail::JsonObject;
using detail::JsonValue;
using detail::Path;

Result<ContentPart> parse_image(JsonObject b, const Path& path, ContentPart::Kind kind) {
  Path spath = path.key("source");
  auto src = detail::find_object(b, "source");
  if (!src) return bad_field(spath, "must be an object");
  FULCRUM_TRY(std::string_view type, detail::req_view(*src, "type", spath));
  ContentPart part;
  part.kind = kind;
  if (type == "base64") {
    FULCRUM_TRY(part.media_type, detail::req_string(*src, "media_type", spath));
    FULCRUM_TRY(part.data, detail::req_string(*src, "data", spath));
  } else if (type == "url") {
    FULCRUM_TRY(part.url, detail::req_string(*src, "url", spath));
  } else if (type == "text" && kind == ContentPart::Kind::kFile) {
    part.kind = ContentPart::Kind::kText;
    FULCRUM_TRY(part.text, detail::req_string(*src, "data", spath));
  } else {
    return bad_field(spath.key("type"), fmt::format("unsupported source type '{}'", type));
  }
  return part;
}

// One text/image/document block at `bpath`.
Status parse_simple_block(JsonValue bv, const Path& bpath, std::vector<ContentPart>* out) {
  JsonObject b;
  if (bv.get(b)) return bad_field(bpath, "must be an object");
  FULCRUM_TRY(std::string_view type, detail::req_view(b, "type", bpath));
  if (type == "text") {
    ContentPart p;
    FULCRUM_TRY(p.text, detail::req_string(b, "text", bpath));
    out->push_back(std::move(p));
  } else if (type == "image") {
    FULCRUM_TRY(auto p, parse_image(b, bpath, ContentPart::Kind::kImage));
    out->push_back(std::move(p));
  } else if (type == "document") {
    FULCRUM_TRY(auto p, parse_image(b, bpath, ContentPart::Kind::kFile));
    out->push_back(std::move(p));
  } else {
    return bad_field(bpath.key("type"), fmt::format("unsupported block type '{}'", type));
  }
  return ok_status();
}

// Text/image blocks (also the content of a tool_result).
Result<std::vector<ContentPart>> parse_simple_blocks(JsonValue c, const Path& path) {
  std::vector<ContentPart> out;
  std::string_view s;
  if (c.get_string().get(s) == simdjson::SUCCESS) {
    out.push_back(ContentPart{.text = std::string(s)});
    return out;
  }
  JsonArray arr;
  if (c.get(arr)) return bad_field(path, "must be a string or an array of content blocks");
  size_t i = 0;
  for (JsonValue b : arr) FULCRUM_TRY_STATUS(parse_simple_block(b, path.index(i++), &out));
  return out;
}

Status parse_tool_use(JsonObject b, const Path& bpath, Message* msg) {
  if (msg->role != Role::kAssistant)
    return bad_field(bpath, "tool_use blocks belong to assistant turns");
  ToolCall call;
  FULCRUM_TRY(call.id, detail::req_string(b, "id", bpath));
  FULCRUM_TRY(call.name, detail::req_string(b, "name", bpath));
  auto input = find(b, "input");
  if (input && !input->is_object()) return bad_field(bpath.key("input"), "must be an object");
  call.arguments = input ? detail::minify(*input) : "{}";
  msg->tool_calls.push_back(std::move(call));
  return ok_status();
}

Status parse_tool_result(JsonObject b, const Path& bpath, Role role, ChatRequest* req) {
  if (role != Role::kUser) return bad_field(bpath, "tool_result blocks belong to user turns");
  Message tool;
  tool.role = Role::kTool;
  FULCRUM_TRY(tool.tool_call_id, detail::req_string(b, "tool_use_id", bpath));
  FULCRUM_TRY(auto is_error, detail::opt_bool(b, "is_error", bpath));
  tool.is_error = is_error.value_or(false);
  if (auto rc = find(b, "content")) {
    FULCRUM_TRY(tool.content, parse_simple_blocks(*rc, bpath.key("content")));
  }
  req->messages.push_back(std::move(tool));
  return ok_status();
}

// One Anthropic message may become several internal messages (tool results split out).
Status parse_message(JsonValue mv, const Path& path, ChatRequest* req) {
  JsonObject m;
  if (mv.get(m)) return bad_field(path, "must be an object");
  FULCRUM_TRY(std::string_view role_s, detail::req_view(m, "role", path));
  if (role_s != "user" && role_s != "assistant")
    return bad_field(path.key("role"), "must be \"user\" or \"assistant\"");
  Message msg;
  msg.role = role_s == "user" ? Role::kUser : Role::kAssistant;
  auto c = find(m, "content");
  Path cpath = path.key("content");
  if (!c) return bad_field(cpath, "is required");
  std::string_view s;
  if (c->get_string().get(s) == simdjson::SUCCESS) {
    msg.content.push_back(ContentPart{.text = std::string(s)});
    req->messages.push_back(std::move(msg));
    return ok_status();
  }
  JsonArray arr;
  if (c->get(arr)) return bad_field(cpath, "must be a string or an array of content blocks");
  size_t i = 0;
  for (JsonValue bv : arr) {
    Path bpath = cpath.index(i++);
    JsonObject b;
    if (bv.get(b)) return bad_field(bpath, "must be an object");
    FULCRUM_TRY(std::string_view type, detail::req_view(b, "type", bpath));
    if (type == "tool_use") {
      FULCRUM_TRY_STATUS(parse_tool_use(b, bpath, &msg));
    } else if (type == "tool_result") {
      FULCRUM_TRY_STATUS(parse_tool_result(b, bpath, msg.role, req));
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;  // the model's own reasoning, replayed by clients; not sent on to other models
    } else {
      FULCRUM_TRY_STATUS(parse_simple_block(bv, bpath, &msg.content));
    }
  }
  if (!msg.content.empty() || !msg.tool_calls.empty()) req->messages.push_back(std::move(msg));
  return ok_status();
}

Status parse_tool_choice(JsonObject body, ChatRequest* req) {
  auto tcv = find(body, "tool_choice");
  if (!tcv) return ok_status();
  Path path("tool_choice");
  JsonObject tc;
  if (tcv->get(tc)) return bad_field(path, "must be an object");
  FULCRUM_TRY(std::string_view type, detail::req_view(tc, "type", path));
  ToolChoice choice;
  if (type == "auto") {
    choice.mode = ToolChoice::Mode::kAuto;
  } else if (type == "any") {
    choice.mode = ToolChoice::Mode::kRequired;
  } else if (type == "none") {
    choice.mode = ToolChoice::Mode::kNone;
  } else if (type == "tool") {
    choice.mode = ToolChoice::Mode::kTool;
    FULCRUM_TRY(choice.name, detail::req_string(tc, "name", path));
  } else {
    return bad_field(path.key("type"), fmt::format("unknown type '{}'", type));
  }
  FULCRUM_TRY(auto disable, detail::opt_bool(tc, "disable_parallel_tool_use", path));
  if (disable) choice.parallel_tool_calls = !*disable;
  req->tool_choice = choice;
  return ok_status();
}

Status parse_tools(JsonObject body, ChatRequest* req) {
  auto tools = find(body, "tools");
  if (!tools) return ok_status();
  Path root("tools");
  JsonArray arr;
  if (tools->get(arr)) return bad_field(root, "must be an array");
  size_t i = 0;
  for (JsonValue tv : arr) {
    Path path = root.index(i++);
    JsonObject t;
    if (tv.get(t)) return bad_field(path, "must be an object");
    Tool tool;
    FULCRUM_TRY(tool.name, detail::req_string(t, "name", path));
    FULCRUM_TRY(auto desc, detail::opt_string(t, "description", path));
    if (desc) tool.description = *desc;
    auto schema = find(t, "input_schema");
    if (!schema || !schema->is_object())
      return bad_field(path.key("input_schema"), "must be an object");
    tool.parameters = detail::minify(*schema);
    req->tools.push_back(std::move(tool));
  }
  return parse_tool_choice(body, req);
}

Status parse_common(JsonObject j, ChatRequest* req) {
  req->dialect = Dialect::kAnthropic;
  req->include_usage = true;
  FULCRUM_TRY(req->model, detail::req_string(j, "model", Path()));
  if (req->model.empty()) return bad_field(Path("model"), "must not be empty");
  if (auto sys = find(j, "system")) {
    FULCRUM_TRY(req->system, parse_simple_blocks(*sys, Path("system")));
  }
  auto msgs = find(j, "messages");
  Path path("messages");
  if (!msgs) return bad_field(path, "is required");
  JsonArray arr;
  if (msgs->get(arr) || arr.size() == 0) return bad_field(path, "must be a non-empty array");
  req->messages.reserve(arr.size());
  size_t i = 0;
  for (JsonValue m : arr) FULCRUM_TRY_STATUS(parse_message(m, path.index(i++), req));
  return parse_tools(j, req);
}

Status parse_stop_sequences(JsonObject j, ChatRequest* req) {
  auto ss = find(j, "stop_sequences");
  if (!ss) return ok_status();
  Path path("stop_sequences");
  JsonArray arr;
  if (ss->get(arr)) return bad_field(path, "must be an array of strings");
  size_t i = 0;
  for (JsonValue v : arr) {
    std::string_view s;
    if (v.get_string().get(s)) return bad_field(path.index(i), "must be a string");
    req->stop.emplace_back(s);
    ++i;
  }
  return ok_status();
}

}  // namespace

Result<ChatRequest> parse_anthropic_messages_request(std::string_view body) {
  detail::ParserLease lease;
  FULCRUM_TRY(JsonObject j, detail::parse_object(lease, body));
  ChatRequest req;
  FULCRUM_TRY_STATUS(parse_common(j, &req));
  Path root;
  FULCRUM_TRY(req.max_tokens, detail::opt_int(j, "max_tokens", root));
  if (!req.max_tokens) return bad_field(Path("max_tokens"), "is required");
  if (*req.max_tokens < 1) return bad_field(Path("max_tokens"), "must be at least 1");
  FULCRUM_TRY(req.temperature, detail::opt_range(j, "temperature", 0, 1, root));
  FULCRUM_TRY(req.top_p, detail::opt_range(j, "top_p", 0, 1, root));
  FULCRUM_TRY(req.top_k, detail::opt_int(j, "top_k", root));
  if (req.top_k && *req.top_k < 0) return bad_field(Path("top_k"), "must not be negative");
  FULCRUM_TRY_STATUS(parse_stop_sequences(j, &req));
  FULCRUM_TRY(auto stream, detail::opt_bool(j, "stream", root));
  req.stream = stream.value_or(false);
  if (auto mdv = find(j, "metadata")) {
    JsonObject md;
    if (mdv->get(md)) return bad_field(Path("metadata"), "must be an object");
    FULCRUM_TRY(auto uid, detail::opt_string(md, "user_id", Path("metadata")));
    if (uid) req.user = *uid;
  }
  return req;
}

Result<ChatRequest> parse_anthropic_count_tokens_request(std::string_view body) {
  detail::ParserLease lease;
  FULCRUM_TRY(JsonObject j, detail::parse_object(lease, body));
  ChatRequest req;
  FULCRUM_TRY_STATUS(parse_common(j, &req));
  return req;
}

namespace detail {

// Shared with anthropic_stream_json.cpp.
std::string_view anthropic_stop(FinishReason r, const std::string& stop_sequence) {
  if (r == FinishReason::kStop && !stop_sequence.empty()) return "stop_sequence";
  return anthropic_stop_reason(r);
}

void write_anthropic_usage(JsonWriter& w, const Usage& u) {
  w.key("usage").begin_object().field("input_tokens", u.prompt_tokens - u.cached_tokens);
  w.field("output_tokens", u.completion_tokens);
  if (u.cached_tokens > 0) w.field("cache_read_input_tokens", u.cached_tokens);
  w.end_object();
}

std::string anthropic_id(const std::string& id) {
  if (id.rfind("msg_", 0) == 0) return id;
  return id.empty() ? make_id("msg_") : "msg_" + id;
}

struct ErrorType {
  int status;
  std::string_view type;
};
constexpr ErrorType kErrorTypes[] = {
    {400, "invalid_request_error"}, {401, "authentication_error"}, {403, "permission_error"},
    {404, "not_found_error"},       {413, "request_too_large"},    {429, "rate_limit_error"},
    {503, "overloaded_error"},
};

std::string_view anthropic_error_type(int status) {
  for (const auto& e : kErrorTypes)
    if (e.status == status) return e.type;
  return status < 500 ? "invalid_request_error" : "api_error";
}

void write_anthropic_error(JsonWriter& w, const Error& e) {
  w.begin_object().field("type", "error").key("error").begin_object();
  w.field("type", anthropic_error_type(e.http_status())).field("message", e.message());
  w.end_object().end_object();
}

}  // namespace detail

std::string anthropic_response_json(const ChatResponse& r) {
  std::string out;
  out.reserve(384);
  JsonWriter w(&out);
  FinishReason finish = FinishReason::kStop;
  const std::string* stop_seq = nullptr;
  w.begin_object().field("id", detail::anthropic_id(r.id)).field("type", "message");
  w.field("role", "assistant").field("model", r.model).key("content").begin_array();
  if (!r.choices.empty()) {
    const Choice& c = r.choices.front();
    finish = c.finish_reason;
    stop_seq = &c.stop_sequence;
    std::string text = c.message.text();
    if (!text.empty() || c.message.tool_calls.empty())
      w.begin_object().field("type", "text").field("text", text).end_object();
    for (const auto& t : c.message.tool_calls) {
      w.begin_object().field("type", "tool_use").field("id", t.id).field("name", t.name);
      w.key("input");
      detail::write_object_text(w, t.arguments);
      w.end_object();
    }
  }
  static const std::string kNone;
  const std::string& seq = stop_seq ? *stop_seq : kNone;
  w.end_array().field("stop_reason", detail::anthropic_stop(finish, seq)).key("stop_sequence");
  if (seq.empty()) {
    w.null();
  } else {
    w.value(seq);
  }
  detail::write_anthropic_usage(w, r.usage.value_or(Usage{}));
  w.end_object();
  return out;
}

std::string anthropic_error_json(const Error& e) {
  std::string out;
  JsonWriter w(&out);
  detail::write_anthropic_error(w, e);
  return out;
}

// --- outbound ---

namespace {

void write_blocks(JsonWriter& w, const std::vector<ContentPart>& parts) {
  for (const auto& p : parts) {
    switch (p.kind) {
      case ContentPart::Kind::kText:
        w.begin_object().field("type", "text").field("text", p.text).end_object();
        break;
      case ContentPart::Kind::kImage: {
        w.begin_object().field("type", "image").key("source").begin_object();
        if (!p.data.empty()) {
          w.field("type", "base64").field("media_type", p.media_type).field("data", p.data);
        } else if (p.url.rfind("data:", 0) == 0) {
          size_t semi = p.url.find(';'), comma = p.url.find(',');
          std::string_view url = p.url;
          w.field("type", "base64");
          w.field("media_type", semi == std::string::npos ? "" : url.substr(5, semi - 5));
          w.field("data", comma == std::string::npos ? "" : url.substr(comma + 1));
        } else {
          w.field("type", "url").field("url", p.url);
        }
        w.end_object().end_object();
        break;
      }
      case ContentPart::Kind::kFile:
        w.begin_object().field("type", "document").key("source").begin_object();
        w.field("type", "base64");
        w.field("media_type", p.media_type.empty() ? "application/pdf" : p.media_type);
        w.field("data", p.data).end_object().end_object();
        break;
      case ContentPart::Kind::kAudio:
        break;  // no audio input in the Messages API
    }
  }
}

// The internal messages regrouped as Anthropic turns: a turn's role and the messages whose
// blocks it holds (Anthropic wants alternating user/assistant turns, so consecutive messages
// that map to the same role are merged into one turn).
const char* turn_role(Role r) {
  return r == Role::kAssistant ? "assistant" : "user";
}

void write_message_blocks(JsonWriter& w, const Message& m) {
  switch (m.role) {
    case Role::kSystem:
    case Role::kDeveloper:  // mid-conversation instructions
    case Role::kUser:
      write_blocks(w, m.content);
      break;
    case Role::kAssistant:
      write_blocks(w, m.content);
      for (const auto& t : m.tool_calls) {
        w.begin_object().field("type", "tool_use").field("id", t.id).field("name", t.name);
        w.key("input");
        detail::write_object_text(w, t.arguments);
        w.end_object();
      }
      break;
    case Role::kTool:
      w.begin_object().field("type", "tool_result").field("tool_use_id", m.tool_call_id);
      w.key("content").begin_array();
      write_blocks(w, m.content);
      w.end_array();
      if (m.is_error) w.field("is_error", true);
      w.end_object();
      break;
  }
}

void write_tools(JsonWriter& w, const ChatRequest& r) {
  w.key("tools").begin_array();
  for (const auto& t : r.tools) {
    w.begin_object().field("name", t.name).key("input_schema");
    detail::write_object_text(w, t.parameters);
    if (!t.description.empty()) w.field("description", t.description);
    w.end_object();
  }
  w.end_array();
  if (!r.tool_choice) return;
  const auto& tc = *r.tool_choice;
  static constexpr const char* kModes[] = {"auto", "none", "any", "tool"};  // ToolChoice::Mode
  w.key("tool_choice").begin_object().field("type", kModes[static_cast<int>(tc.mode)]);
  if (tc.mode == ToolChoice::Mode::kTool) w.field("name", tc.name);
  if (tc.parallel_tool_calls && !*tc.parallel_tool_calls)
    w.field("disable_parallel_tool_use", true);
  w.end_object();
}

}  // namespace

std::string anthropic_request_json(const ChatRequest& r, std::string_view model) {
  std::string out;
  out.reserve(256 + r.messages.size() * 128);
  JsonWriter w(&out);
  w.begin_object().field("model", model).key("messages").begin_array();
  for (size_t i = 0; i < r.messages.size();) {
    const char* role = turn_role(r.messages[i].role);
    w.begin_object().field("role", role).key("content").begin_array();
    for (; i < r.messages.size() && turn_role(r.messages[i].role) == role; ++i)
      write_message_blocks(w, r.messages[i]);
    w.end_array().end_object();
  }
  w.end_array().field("max_tokens", r.max_tokens.value_or(4096));
  if (!r.system.empty()) {
    w.key("system").begin_array();
    write_blocks(w, r.system);
    w.end_array();
  }
  if (!r.tools.empty()) write_tools(w, r);
  if (r.temperature) w.field("temperature", std::min(*r.temperature, 1.0));
  if (r.top_p) w.field("top_p", *r.top_p);
  if (r.top_k) w.field("top_k", *r.top_k);
  if (!r.stop.empty()) {
    w.key("stop_sequences").begin_array();
    for (const auto& s : r.stop) w.value(s);
    w.end_array();
  }
  if (r.stream) w.field("stream", true);
  if (!r.user.empty()) w.key("metadata").begin_object().field("user_id", r.user).end_object();
  w.end_object();
  return out;
}

namespace detail {

FinishReason parse_anthropic_stop_reason(std::optional<std::string_view> s) {
  if (!s) return FinishReason::kNone;
  if (*s == "max_tokens") return FinishReason::kLength;
  if (*s == "tool_use") return FinishReason::kToolCalls;
  if (*s == "refusal") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

void read_anthropic_usage(std::optional<JsonObject> u, Usage* usage) {
  if (!u) return;
  int64_t cached = find_int(*u, "cache_read_input_tokens").value_or(0);
  if (auto v = find_int(*u, "input_tokens")) {
    usage->prompt_tokens = *v + cached;
    usage->cached_tokens = cached;
  }
  if (auto v = find_int(*u, "output_tokens")) usage->completion_tokens = *v;
}

}  // namespace detail

Result<ChatResponse> parse_anthropic_response(std::string_view body) {
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, body);
  if (!parsed.ok())
    return Error(ErrorCode::kUpstream, "upstream reply: " + parsed.error().message());
  JsonObject j = *parsed;
  ChatResponse r;
  if (auto v = detail::find_string(j, "id")) r.id = *v;
  if (auto v = detail::find_string(j, "model")) r.model = *v;
  r.created = detail::unix_now();
  auto cv = find(j, "content");
  JsonArray content;
  if (!cv || cv->get(content))
    return Error(ErrorCode::kUpstream, "upstream reply has no content array");
  Choice c;
  c.message.role = Role::kAssistant;
  for (JsonValue bv : content) {
    JsonObject b;
    if (bv.get(b))
      return Error(ErrorCode::kUpstream, "upstream reply: content block must be an object");
    auto type = detail::find_string(b, "type");
    if (!type) continue;
    if (*type == "text") {
      if (auto t = detail::find_string(b, "text"))
        c.message.content.push_back(ContentPart{.text = std::string(*t)});
    } else if (*type == "tool_use") {
      ToolCall call;
      if (auto v = detail::find_string(b, "id")) call.id = *v;
      if (auto v = detail::find_string(b, "name")) call.name = *v;
      auto input = find(b, "input");
      call.arguments = input ? detail::minify(*input) : "{}";
      c.message.tool_calls.push_back(std::move(call));
    }
  }
  c.finish_reason = detail::parse_anthropic_stop_reason(detail::find_string(j, "stop_reason"));
  if (c.finish_reason == FinishReason::kNone) c.finish_reason = FinishReason::kStop;
  if (auto v = detail::find_string(j, "stop_sequence")) c.stop_sequence = *v;
  r.choices.push_back(std::move(c));
  Usage usage;
  detail::read_anthropic_usage(detail::find_object(j, "usage"), &usage);
  r.usage = usage;
  return r;
}

}  // namespace fulcrum::api
