// Anthropic Messages API wire shapes, following the public reference
// (docs.anthropic.com/en/api/messages and /en/docs/build-with-claude/streaming).
#include "api/anthropic_json.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/json_util.h"

namespace fulcrum::api {
namespace {

using detail::bad_field;
using detail::find;
using detail::index_path;
using detail::join_path;
using detail::Json;

Result<ContentPart> parse_image(const Json& b, const std::string& path, ContentPart::Kind kind) {
  const Json* src = find(b, "source");
  std::string spath = join_path(path, "source");
  if (!src || !src->is_object()) return bad_field(spath, "must be an object");
  FULCRUM_TRY(auto type, detail::req_string(*src, "type", spath));
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
    return bad_field(join_path(spath, "type"), fmt::format("unsupported source type '{}'", type));
  }
  return part;
}

// Text/image blocks (also the content of a tool_result).
Result<std::vector<ContentPart>> parse_simple_blocks(const Json& c, const std::string& path) {
  std::vector<ContentPart> out;
  if (c.is_string()) {
    out.push_back(ContentPart{.text = c.get<std::string>()});
    return out;
  }
  if (!c.is_array()) return bad_field(path, "must be a string or an array of content blocks");
  for (size_t i = 0; i < c.size(); ++i) {
    const Json& b = c[i];
    std::string bpath = index_path(path, i);
    if (!b.is_object()) return bad_field(bpath, "must be an object");
    FULCRUM_TRY(auto type, detail::req_string(b, "type", bpath));
    if (type == "text") {
      ContentPart p;
      FULCRUM_TRY(p.text, detail::req_string(b, "text", bpath));
      out.push_back(std::move(p));
    } else if (type == "image") {
      FULCRUM_TRY(auto p, parse_image(b, bpath, ContentPart::Kind::kImage));
      out.push_back(std::move(p));
    } else if (type == "document") {
      FULCRUM_TRY(auto p, parse_image(b, bpath, ContentPart::Kind::kFile));
      out.push_back(std::move(p));
    } else {
      return bad_field(join_path(bpath, "type"), fmt::format("unsupported block type '{}'", type));
    }
  }
  return out;
}

// One Anthropic message may become several internal messages (tool results split out).
Status parse_message(const Json& m, const std::string& path, ChatRequest* req) {
  if (!m.is_object()) return bad_field(path, "must be an object");
  FULCRUM_TRY(auto role_s, detail::req_string(m, "role", path));
  if (role_s != "user" && role_s != "assistant")
    return bad_field(join_path(path, "role"), "must be \"user\" or \"assistant\"");
  Message msg;
  msg.role = role_s == "user" ? Role::kUser : Role::kAssistant;
  const Json* c = find(m, "content");
  std::string cpath = join_path(path, "content");
  if (!c) return bad_field(cpath, "is required");
  if (c->is_string()) {
    msg.content.push_back(ContentPart{.text = c->get<std::string>()});
    req->messages.push_back(std::move(msg));
    return ok_status();
  }
  if (!c->is_array()) return bad_field(cpath, "must be a string or an array of content blocks");
  for (size_t i = 0; i < c->size(); ++i) {
    const Json& b = (*c)[i];
    std::string bpath = index_path(cpath, i);
    if (!b.is_object()) return bad_field(bpath, "must be an object");
    FULCRUM_TRY(auto type, detail::req_string(b, "type", bpath));
    if (type == "tool_use") {
      if (msg.role != Role::kAssistant)
        return bad_field(bpath, "tool_use blocks belong to assistant turns");
      ToolCall call;
      FULCRUM_TRY(call.id, detail::req_string(b, "id", bpath));
      FULCRUM_TRY(call.name, detail::req_string(b, "name", bpath));
      const Json* input = find(b, "input");
      if (input && !input->is_object())
        return bad_field(join_path(bpath, "input"), "must be an object");
      call.arguments = input ? detail::dump(*input) : "{}";
      msg.tool_calls.push_back(std::move(call));
    } else if (type == "tool_result") {
      if (msg.role != Role::kUser)
        return bad_field(bpath, "tool_result blocks belong to user turns");
      Message tool;
      tool.role = Role::kTool;
      FULCRUM_TRY(tool.tool_call_id, detail::req_string(b, "tool_use_id", bpath));
      FULCRUM_TRY(auto is_error, detail::opt_bool(b, "is_error", bpath));
      tool.is_error = is_error.value_or(false);
      if (const Json* rc = find(b, "content")) {
        FULCRUM_TRY(tool.content, parse_simple_blocks(*rc, join_path(bpath, "content")));
      }
      req->messages.push_back(std::move(tool));
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;  // the model's own reasoning, replayed by clients; not sent on to other models
    } else {
      Json one = Json::array({b});
      FULCRUM_TRY(auto parts, parse_simple_blocks(one, cpath));
      for (auto& p : parts) msg.content.push_back(std::move(p));
    }
  }
  if (!msg.content.empty() || !msg.tool_calls.empty()) req->messages.push_back(std::move(msg));
  return ok_status();
}

Status parse_tools(const Json& body, ChatRequest* req) {
  const Json* tools = find(body, "tools");
  if (!tools) return ok_status();
  if (!tools->is_array()) return bad_field("tools", "must be an array");
  for (size_t i = 0; i < tools->size(); ++i) {
    const Json& t = (*tools)[i];
    std::string path = index_path("tools", i);
    if (!t.is_object()) return bad_field(path, "must be an object");
    Tool tool;
    FULCRUM_TRY(tool.name, detail::req_string(t, "name", path));
    FULCRUM_TRY(auto desc, detail::opt_string(t, "description", path));
    tool.description = desc.value_or("");
    const Json* schema = find(t, "input_schema");
    if (!schema || !schema->is_object())
      return bad_field(join_path(path, "input_schema"), "must be an object");
    tool.parameters = detail::dump(*schema);
    req->tools.push_back(std::move(tool));
  }
  const Json* tc = find(body, "tool_choice");
  if (!tc) return ok_status();
  if (!tc->is_object()) return bad_field("tool_choice", "must be an object");
  FULCRUM_TRY(auto type, detail::req_string(*tc, "type", "tool_choice"));
  ToolChoice choice;
  if (type == "auto")
    choice.mode = ToolChoice::Mode::kAuto;
  else if (type == "any")
    choice.mode = ToolChoice::Mode::kRequired;
  else if (type == "none")
    choice.mode = ToolChoice::Mode::kNone;
  else if (type == "tool") {
    choice.mode = ToolChoice::Mode::kTool;
    FULCRUM_TRY(choice.name, detail::req_string(*tc, "name", "tool_choice"));
  } else {
    return bad_field("tool_choice.type", fmt::format("unknown type '{}'", type));
  }
  FULCRUM_TRY(auto disable, detail::opt_bool(*tc, "disable_parallel_tool_use", "tool_choice"));
  if (disable) choice.parallel_tool_calls = !*disable;
  req->tool_choice = choice;
  return ok_status();
}

Status parse_common(const Json& j, ChatRequest* req) {
  req->dialect = Dialect::kAnthropic;
  req->include_usage = true;
  FULCRUM_TRY(req->model, detail::req_string(j, "model", ""));
  if (req->model.empty()) return bad_field("model", "must not be empty");
  if (const Json* sys = find(j, "system")) {
    FULCRUM_TRY(req->system, parse_simple_blocks(*sys, "system"));
  }
  const Json* msgs = find(j, "messages");
  if (!msgs) return bad_field("messages", "is required");
  if (!msgs->is_array() || msgs->empty()) return bad_field("messages", "must be a non-empty array");
  for (size_t i = 0; i < msgs->size(); ++i)
    FULCRUM_TRY_STATUS(parse_message((*msgs)[i], index_path("messages", i), req));
  FULCRUM_TRY_STATUS(parse_tools(j, req));
  return ok_status();
}

}  // namespace

Result<ChatRequest> parse_anthropic_messages_request(std::string_view body) {
  FULCRUM_TRY(Json j, detail::parse_object(body));
  ChatRequest req;
  FULCRUM_TRY_STATUS(parse_common(j, &req));
  FULCRUM_TRY(req.max_tokens, detail::opt_int(j, "max_tokens", ""));
  if (!req.max_tokens) return bad_field("max_tokens", "is required");
  if (*req.max_tokens < 1) return bad_field("max_tokens", "must be at least 1");
  FULCRUM_TRY(req.temperature, detail::opt_range(j, "temperature", 0, 1, ""));
  FULCRUM_TRY(req.top_p, detail::opt_range(j, "top_p", 0, 1, ""));
  FULCRUM_TRY(req.top_k, detail::opt_int(j, "top_k", ""));
  if (req.top_k && *req.top_k < 0) return bad_field("top_k", "must not be negative");
  if (const Json* ss = find(j, "stop_sequences")) {
    if (!ss->is_array()) return bad_field("stop_sequences", "must be an array of strings");
    for (size_t i = 0; i < ss->size(); ++i) {
      if (!(*ss)[i].is_string())
        return bad_field(index_path("stop_sequences", i), "must be a string");
      req.stop.push_back((*ss)[i].get<std::string>());
    }
  }
  FULCRUM_TRY(auto stream, detail::opt_bool(j, "stream", ""));
  req.stream = stream.value_or(false);
  if (const Json* md = find(j, "metadata")) {
    if (!md->is_object()) return bad_field("metadata", "must be an object");
    FULCRUM_TRY(auto uid, detail::opt_string(*md, "user_id", "metadata"));
    req.user = uid.value_or("");
  }
  return req;
}

Result<ChatRequest> parse_anthropic_count_tokens_request(std::string_view body) {
  FULCRUM_TRY(Json j, detail::parse_object(body));
  ChatRequest req;
  FULCRUM_TRY_STATUS(parse_common(j, &req));
  return req;
}

namespace {

std::string_view stop_reason(FinishReason r, const std::string& stop_sequence) {
  if (r == FinishReason::kStop && !stop_sequence.empty()) return "stop_sequence";
  return anthropic_stop_reason(r);
}

Json usage_json(const Usage& u) {
  Json j = {{"input_tokens", u.prompt_tokens - u.cached_tokens},
            {"output_tokens", u.completion_tokens}};
  if (u.cached_tokens > 0) j["cache_read_input_tokens"] = u.cached_tokens;
  return j;
}

std::string anthropic_id(const std::string& id) {
  if (id.rfind("msg_", 0) == 0) return id;
  return id.empty() ? detail::make_id("msg_") : "msg_" + id;
}

}  // namespace

std::string anthropic_response_json(const ChatResponse& r) {
  Json content = Json::array();
  FinishReason finish = FinishReason::kStop;
  std::string stop_seq;
  if (!r.choices.empty()) {
    const Choice& c = r.choices.front();
    finish = c.finish_reason;
    stop_seq = c.stop_sequence;
    std::string text = c.message.text();
    if (!text.empty() || c.message.tool_calls.empty())
      content.push_back({{"type", "text"}, {"text", text}});
    for (const auto& t : c.message.tool_calls)
      content.push_back({{"type", "tool_use"},
                         {"id", t.id},
                         {"name", t.name},
                         {"input", detail::arguments_object(t.arguments)}});
  }
  Json j = {{"id", anthropic_id(r.id)},
            {"type", "message"},
            {"role", "assistant"},
            {"model", r.model},
            {"content", content},
            {"stop_reason", stop_reason(finish, stop_seq)},
            {"stop_sequence", stop_seq.empty() ? Json(nullptr) : Json(stop_seq)},
            {"usage", usage_json(r.usage.value_or(Usage{}))}};
  return detail::dump(j);
}

namespace {
std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
      return "overloaded_error";
    default:
      return status < 500 ? "invalid_request_error" : "api_error";
  }
}
}  // namespace

std::string anthropic_error_json(const Error& e) {
  return detail::dump(
      Json{{"type", "error"},
           {"error", {{"type", anthropic_error_type(e.http_status())}, {"message", e.message()}}}});
}

// --- stream encoder ---

namespace {
void event(std::string_view name, const Json& data, std::string* out) {
  out->append("event: ");
  out->append(name);
  out->append("\ndata: ");
  out->append(detail::dump(data));
  out->append("\n\n");
}
}  // namespace

void AnthropicStreamEncoder::start(const ChatChunk& chunk, std::string* out) {
  started_ = true;
  id_ = anthropic_id(chunk.id);
  if (!chunk.model.empty()) model_ = chunk.model;
  Json msg = {{"id", id_},
              {"type", "message"},
              {"role", "assistant"},
              {"model", model_},
              {"content", Json::array()},
              {"stop_reason", nullptr},
              {"stop_sequence", nullptr},
              {"usage", {{"input_tokens", 0}, {"output_tokens", 0}}}};
  event("message_start", {{"type", "message_start"}, {"message", msg}}, out);
}

void AnthropicStreamEncoder::open_block(const char* kind, std::string* out,
                                        const ToolCallDelta* call) {
  ++block_index_;
  Json block;
  if (call) {
    open_kind_ = 2;
    open_tool_ = call->index;
    block = {
        {"type", "tool_use"}, {"id", call->id}, {"name", call->name}, {"input", Json::object()}};
  } else {
    open_kind_ = 1;
    block = {{"type", kind}, {"text", ""}};
  }
  event("content_block_start",
        {{"type", "content_block_start"}, {"index", block_index_}, {"content_block", block}}, out);
}

void AnthropicStreamEncoder::close_block(std::string* out) {
  if (open_kind_ == 0) return;
  event("content_block_stop", {{"type", "content_block_stop"}, {"index", block_index_}}, out);
  open_kind_ = 0;
  open_tool_ = -1;
}

void AnthropicStreamEncoder::on_chunk(const ChatChunk& chunk, std::string* out) {
  if (finished_) return;
  if (!started_) start(chunk, out);
  if (!chunk.text.empty()) {
    if (open_kind_ != 1) {
      close_block(out);
      open_block("text", out, nullptr);
    }
    event("content_block_delta",
          {{"type", "content_block_delta"},
           {"index", block_index_},
           {"delta", {{"type", "text_delta"}, {"text", chunk.text}}}},
          out);
  }
  for (const auto& tc : chunk.tool_calls) {
    if (open_kind_ != 2 || open_tool_ != tc.index) {
      close_block(out);
      ToolCallDelta first = tc;
      if (first.id.empty()) first.id = detail::make_id("toolu_");
      open_block("tool_use", out, &first);
    }
    if (!tc.arguments.empty())
      event("content_block_delta",
            {{"type", "content_block_delta"},
             {"index", block_index_},
             {"delta", {{"type", "input_json_delta"}, {"partial_json", tc.arguments}}}},
            out);
  }
  if (chunk.finish_reason) {
    finish_ = *chunk.finish_reason;
    stop_sequence_ = chunk.stop_sequence;
  }
  if (chunk.usage) usage_ = *chunk.usage;
}

void AnthropicStreamEncoder::finish(std::string* out) {
  if (finished_) return;
  if (!started_) start(ChatChunk{}, out);
  close_block(out);
  finished_ = true;
  FinishReason f = finish_ == FinishReason::kNone ? FinishReason::kStop : finish_;
  Json usage = usage_json(usage_);
  event("message_delta",
        {{"type", "message_delta"},
         {"delta",
          {{"stop_reason", stop_reason(f, stop_sequence_)},
           {"stop_sequence", stop_sequence_.empty() ? Json(nullptr) : Json(stop_sequence_)}}},
         {"usage", usage}},
        out);
  event("message_stop", {{"type", "message_stop"}}, out);
}

void AnthropicStreamEncoder::error_event(const Error& error, std::string* out) {
  event("error",
        {{"type", "error"},
         {"error",
          {{"type", anthropic_error_type(error.http_status())}, {"message", error.message()}}}},
        out);
}

// --- outbound ---

namespace {

Json blocks_json(const std::vector<ContentPart>& parts) {
  Json arr = Json::array();
  for (const auto& p : parts) {
    switch (p.kind) {
      case ContentPart::Kind::kText:
        arr.push_back({{"type", "text"}, {"text", p.text}});
        break;
      case ContentPart::Kind::kImage: {
        Json src;
        if (!p.data.empty()) {
          src = {{"type", "base64"}, {"media_type", p.media_type}, {"data", p.data}};
        } else if (p.url.rfind("data:", 0) == 0) {
          size_t semi = p.url.find(';'), comma = p.url.find(',');
          std::string media = semi == std::string::npos ? "" : p.url.substr(5, semi - 5);
          std::string data = comma == std::string::npos ? "" : p.url.substr(comma + 1);
          src = {{"type", "base64"}, {"media_type", media}, {"data", data}};
        } else {
          src = {{"type", "url"}, {"url", p.url}};
        }
        arr.push_back({{"type", "image"}, {"source", src}});
        break;
      }
      case ContentPart::Kind::kFile:
        arr.push_back({{"type", "document"},
                       {"source",
                        {{"type", "base64"},
                         {"media_type", p.media_type.empty() ? "application/pdf" : p.media_type},
                         {"data", p.data}}}});
        break;
      case ContentPart::Kind::kAudio:
        break;  // no audio input in the Messages API
    }
  }
  return arr;
}

// Anthropic wants alternating user/assistant turns; consecutive same-role turns are merged.
void push_turn(Json* msgs, const char* role, Json blocks) {
  if (!msgs->empty() && msgs->back()["role"] == role) {
    for (auto& b : blocks) msgs->back()["content"].push_back(std::move(b));
    return;
  }
  msgs->push_back({{"role", role}, {"content", std::move(blocks)}});
}

}  // namespace

std::string anthropic_request_json(const ChatRequest& r, std::string_view model) {
  Json msgs = Json::array();
  std::vector<ContentPart> system = r.system;
  for (const auto& m : r.messages) {
    switch (m.role) {
      case Role::kSystem:
      case Role::kDeveloper:
        push_turn(&msgs, "user", blocks_json(m.content));  // mid-conversation instructions
        break;
      case Role::kUser:
        push_turn(&msgs, "user", blocks_json(m.content));
        break;
      case Role::kAssistant: {
        Json blocks = blocks_json(m.content);
        for (const auto& t : m.tool_calls)
          blocks.push_back({{"type", "tool_use"},
                            {"id", t.id},
                            {"name", t.name},
                            {"input", detail::arguments_object(t.arguments)}});
        push_turn(&msgs, "assistant", std::move(blocks));
        break;
      }
      case Role::kTool: {
        Json res = {{"type", "tool_result"},
                    {"tool_use_id", m.tool_call_id},
                    {"content", blocks_json(m.content)}};
        if (m.is_error) res["is_error"] = true;
        push_turn(&msgs, "user", Json::array({res}));
        break;
      }
    }
  }
  Json j = {{"model", model}, {"messages", msgs}, {"max_tokens", r.max_tokens.value_or(4096)}};
  if (!system.empty()) j["system"] = blocks_json(system);
  if (!r.tools.empty()) {
    Json tools = Json::array();
    for (const auto& t : r.tools) {
      Json tj = {{"name", t.name}, {"input_schema", detail::arguments_object(t.parameters)}};
      if (!t.description.empty()) tj["description"] = t.description;
      tools.push_back(std::move(tj));
    }
    j["tools"] = tools;
    if (r.tool_choice) {
      const auto& tc = *r.tool_choice;
      Json c;
      switch (tc.mode) {
        case ToolChoice::Mode::kAuto:
          c = {{"type", "auto"}};
          break;
        case ToolChoice::Mode::kNone:
          c = {{"type", "none"}};
          break;
        case ToolChoice::Mode::kRequired:
          c = {{"type", "any"}};
          break;
        case ToolChoice::Mode::kTool:
          c = {{"type", "tool"}, {"name", tc.name}};
          break;
      }
      if (tc.parallel_tool_calls && !*tc.parallel_tool_calls) c["disable_parallel_tool_use"] = true;
      j["tool_choice"] = c;
    }
  }
  if (r.temperature) j["temperature"] = std::min(*r.temperature, 1.0);
  if (r.top_p) j["top_p"] = *r.top_p;
  if (r.top_k) j["top_k"] = *r.top_k;
  if (!r.stop.empty()) j["stop_sequences"] = r.stop;
  if (r.stream) j["stream"] = true;
  if (!r.user.empty()) j["metadata"] = {{"user_id", r.user}};
  return detail::dump(j);
}

namespace {

FinishReason parse_stop_reason(const Json* v) {
  if (!v || !v->is_string()) return FinishReason::kNone;
  const auto& s = v->get_ref<const std::string&>();
  if (s == "max_tokens") return FinishReason::kLength;
  if (s == "tool_use") return FinishReason::kToolCalls;
  if (s == "refusal") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

void read_usage(const Json* u, Usage* usage) {
  if (!u || !u->is_object()) return;
  int64_t cached = 0;
  if (const Json* v = find(*u, "cache_read_input_tokens"); v && v->is_number_integer())
    cached = v->get<int64_t>();
  if (const Json* v = find(*u, "input_tokens"); v && v->is_number_integer()) {
    usage->prompt_tokens = v->get<int64_t>() + cached;
    usage->cached_tokens = cached;
  }
  if (const Json* v = find(*u, "output_tokens"); v && v->is_number_integer())
    usage->completion_tokens = v->get<int64_t>();
}

}  // namespace

Result<ChatResponse> parse_anthropic_response(std::string_view body) {
  auto parsed = detail::parse_object(body);
  if (!parsed.ok())
    return Error(ErrorCode::kUpstream, "upstream reply: " + parsed.error().message());
  const Json& j = *parsed;
  ChatResponse r;
  if (const Json* v = find(j, "id"); v && v->is_string()) r.id = v->get<std::string>();
  if (const Json* v = find(j, "model"); v && v->is_string()) r.model = v->get<std::string>();
  r.created = detail::unix_now();
  const Json* content = find(j, "content");
  if (!content || !content->is_array())
    return Error(ErrorCode::kUpstream, "upstream reply has no content array");
  Choice c;
  c.message.role = Role::kAssistant;
  for (const Json& b : *content) {
    if (!b.is_object())
      return Error(ErrorCode::kUpstream, "upstream reply: content block must be an object");
    const Json* type = find(b, "type");
    if (!type || !type->is_string()) continue;
    if (*type == "text") {
      const Json* t = find(b, "text");
      if (t && t->is_string())
        c.message.content.push_back(ContentPart{.text = t->get<std::string>()});
    } else if (*type == "tool_use") {
      ToolCall call;
      if (const Json* v = find(b, "id"); v && v->is_string()) call.id = v->get<std::string>();
      if (const Json* v = find(b, "name"); v && v->is_string()) call.name = v->get<std::string>();
      const Json* input = find(b, "input");
      call.arguments = input ? detail::dump(*input) : "{}";
      c.message.tool_calls.push_back(std::move(call));
    }
  }
  c.finish_reason = parse_stop_reason(find(j, "stop_reason"));
  if (c.finish_reason == FinishReason::kNone) c.finish_reason = FinishReason::kStop;
  if (const Json* v = find(j, "stop_sequence"); v && v->is_string())
    c.stop_sequence = v->get<std::string>();
  r.choices.push_back(std::move(c));
  Usage usage;
  read_usage(find(j, "usage"), &usage);
  r.usage = usage;
  return r;
}

Result<std::vector<ChatChunk>> AnthropicStreamDecoder::on_event(std::string_view event_name,
                                                                std::string_view data) {
  std::vector<ChatChunk> out;
  auto parsed = detail::parse_object(data);
  if (!parsed.ok())
    return Error(ErrorCode::kUpstream, "upstream stream: event data is not a JSON object");
  const Json& j = *parsed;
  std::string type = event_name.empty() ? "" : std::string(event_name);
  if (const Json* t = find(j, "type"); t && t->is_string()) type = t->get<std::string>();
  auto chunk = [&] {
    ChatChunk c;
    c.id = id_;
    c.model = model_;
    return c;
  };
  if (type == "message_start") {
    const Json* m = find(j, "message");
    if (m && m->is_object()) {
      if (const Json* v = find(*m, "id"); v && v->is_string()) id_ = v->get<std::string>();
      if (const Json* v = find(*m, "model"); v && v->is_string()) model_ = v->get<std::string>();
      read_usage(find(*m, "usage"), &usage_);
    }
    ChatChunk c = chunk();
    c.role = Role::kAssistant;
    out.push_back(std::move(c));
  } else if (type == "content_block_start") {
    const Json* idx = find(j, "index");
    const Json* b = find(j, "content_block");
    size_t index = idx && idx->is_number_unsigned() ? idx->get<size_t>() : block_tool_index_.size();
    if (index > 4096)
      return Error(ErrorCode::kUpstream, "upstream stream: content block index out of range");
    if (block_tool_index_.size() <= index) block_tool_index_.resize(index + 1, -1);
    if (b && b->is_object() && find(*b, "type") && (*b)["type"] == "tool_use") {
      block_tool_index_[index] = next_tool_index_++;
      ChatChunk c = chunk();
      ToolCallDelta d;
      d.index = block_tool_index_[index];
      if (const Json* v = find(*b, "id"); v && v->is_string()) d.id = v->get<std::string>();
      if (const Json* v = find(*b, "name"); v && v->is_string()) d.name = v->get<std::string>();
      c.tool_calls.push_back(std::move(d));
      out.push_back(std::move(c));
    }
  } else if (type == "content_block_delta") {
    const Json* idx = find(j, "index");
    const Json* d = find(j, "delta");
    if (!d || !d->is_object()) return out;
    const Json* dt = find(*d, "type");
    if (dt && *dt == "text_delta") {
      ChatChunk c = chunk();
      if (const Json* v = find(*d, "text"); v && v->is_string()) c.text = v->get<std::string>();
      if (!c.text.empty()) out.push_back(std::move(c));
    } else if (dt && *dt == "input_json_delta") {
      size_t index = idx && idx->is_number_unsigned() ? idx->get<size_t>() : 0;
      if (index >= block_tool_index_.size() || block_tool_index_[index] < 0)
        return Error(ErrorCode::kUpstream,
                     "upstream stream: input_json_delta for a block that is not tool_use");
      ChatChunk c = chunk();
      ToolCallDelta td;
      td.index = block_tool_index_[index];
      if (const Json* v = find(*d, "partial_json"); v && v->is_string())
        td.arguments = v->get<std::string>();
      c.tool_calls.push_back(std::move(td));
      out.push_back(std::move(c));
    }
  } else if (type == "message_delta") {
    read_usage(find(j, "usage"), &usage_);
    ChatChunk c = chunk();
    if (const Json* d = find(j, "delta"); d && d->is_object()) {
      c.finish_reason = parse_stop_reason(find(*d, "stop_reason"));
      if (const Json* v = find(*d, "stop_sequence"); v && v->is_string())
        c.stop_sequence = v->get<std::string>();
    }
    if (!c.finish_reason || *c.finish_reason == FinishReason::kNone)
      c.finish_reason = FinishReason::kStop;
    c.usage = usage_;
    out.push_back(std::move(c));
  } else if (type == "message_stop") {
    done_ = true;
  } else if (type == "error") {
    std::string etype, msg = "error event";
    if (const Json* e = find(j, "error"); e && e->is_object()) {
      if (const Json* v = find(*e, "type"); v && v->is_string()) etype = v->get<std::string>();
      if (const Json* v = find(*e, "message"); v && v->is_string()) msg = v->get<std::string>();
    }
    return Error(etype == "overloaded_error" ? ErrorCode::kUnavailable : ErrorCode::kUpstream,
                 "upstream stream error: " + msg);
  }
  return out;
}

}  // namespace fulcrum::api
