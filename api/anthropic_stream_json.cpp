// Anthropic's streaming event sequence (docs.anthropic.com/en/docs/build-with-claude/streaming):
// AnthropicStreamEncoder writes it for clients, AnthropicStreamDecoder reads it from upstreams.
#include "api/anthropic_json.h"
#include "api/json_util.h"

namespace fulcrum::api {

namespace detail {
// anthropic_json.cpp
std::string_view anthropic_stop(FinishReason r, const std::string& stop_sequence);
void write_anthropic_usage(JsonWriter& w, const Usage& u);
std::string anthropic_id(const std::string& id);
void write_anthropic_error(JsonWriter& w, const Error& e);
FinishReason parse_anthropic_stop_reason(std::optional<std::string_view> s);
void read_anthropic_usage(std::optional<JsonObject> u, Usage* usage);
}  // namespace detail

namespace {

using detail::find;
using detail::find_int;
using detail::find_object;
using detail::find_string;
using detail::JsonObject;

// "event: NAME\ndata: " — the caller writes the data object, then end_event().
JsonWriter begin_event(std::string_view name, std::string* out) {
  out->append("event: ");
  out->append(name);
  out->append("\ndata: ");
  JsonWriter w(out);
  w.begin_object().field("type", name);
  return w;
}

void end_event(JsonWriter& w, std::string* out) {
  w.end_object();
  out->append("\n\n");
}

}  // namespace

void AnthropicStreamEncoder::start(const ChatChunk& chunk, std::string* out) {
  started_ = true;
  id_ = detail::anthropic_id(chunk.id);
  if (!chunk.model.empty()) model_ = chunk.model;
  JsonWriter w = begin_event("message_start", out);
  w.key("message").begin_object().field("id", id_).field("type", "message");
  w.field("role", "assistant").field("model", model_).key("content").begin_array().end_array();
  w.null_field("stop_reason").null_field("stop_sequence");
  w.key("usage").begin_object().field("input_tokens", 0).field("output_tokens", 0).end_object();
  w.end_object();
  end_event(w, out);
}

void AnthropicStreamEncoder::open_block(const char* kind, std::string* out,
                                        const ToolCallDelta* call) {
  ++block_index_;
  JsonWriter w = begin_event("content_block_start", out);
  w.field("index", block_index_).key("content_block").begin_object();
  if (call) {
    open_kind_ = 2;
    open_tool_ = call->index;
    w.field("type", "tool_use").field("id", call->id).field("name", call->name);
    w.key("input").begin_object().end_object();
  } else {
    open_kind_ = 1;
    w.field("type", kind).field("text", "");
  }
  w.end_object();
  end_event(w, out);
}

void AnthropicStreamEncoder::close_block(std::string* out) {
  if (open_kind_ == 0) return;
  JsonWriter w = begin_event("content_block_stop", out);
  w.field("index", block_index_);
  end_event(w, out);
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
    JsonWriter w = begin_event("content_block_delta", out);
    w.field("index", block_index_).key("delta").begin_object().field("type", "text_delta");
    w.field("text", chunk.text).end_object();
    end_event(w, out);
  }
  for (const auto& tc : chunk.tool_calls) {
    if (open_kind_ != 2 || open_tool_ != tc.index) {
      close_block(out);
      ToolCallDelta first = tc;
      if (first.id.empty()) first.id = detail::make_id("toolu_");
      open_block("tool_use", out, &first);
    }
    if (tc.arguments.empty()) continue;
    JsonWriter w = begin_event("content_block_delta", out);
    w.field("index", block_index_).key("delta").begin_object().field("type", "input_json_delta");
    w.field("partial_json", tc.arguments).end_object();
    end_event(w, out);
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
  JsonWriter w = begin_event("message_delta", out);
  w.key("delta").begin_object().field("stop_reason", detail::anthropic_stop(f, stop_sequence_));
  w.key("stop_sequence");
  if (stop_sequence_.empty()) {
    w.null();
  } else {
    w.value(stop_sequence_);
  }
  w.end_object();
  detail::write_anthropic_usage(w, usage_);
  end_event(w, out);
  JsonWriter s = begin_event("message_stop", out);
  end_event(s, out);
}

void AnthropicStreamEncoder::error_event(const Error& error, std::string* out) {
  out->append("event: error\ndata: ");
  JsonWriter w(out);
  detail::write_anthropic_error(w, error);
  out->append("\n\n");
}

// --- decoder ---

Status AnthropicStreamDecoder::on_content_block_start(JsonObject j,
                                                      std::vector<ChatChunk>* out) {
  auto idx = find(j, "index");
  uint64_t u = 0;
  size_t index = idx && idx->get_uint64().get(u) == simdjson::SUCCESS ? static_cast<size_t>(u)
                                                                       : block_tool_index_.size();
  if (index > 4096)
    return Error(ErrorCode::kUpstream, "upstream stream: content block index out of range");
  if (block_tool_index_.size() <= index) block_tool_index_.resize(index + 1, -1);
  auto b = find_object(j, "content_block");
  if (!b || find_string(*b, "type") != "tool_use") return ok_status();
  block_tool_index_[index] = next_tool_index_++;
  ChatChunk c = chunk();
  ToolCallDelta d;
  d.index = block_tool_index_[index];
  if (auto v = find_string(*b, "id")) d.id = *v;
  if (auto v = find_string(*b, "name")) d.name = *v;
  c.tool_calls.push_back(std::move(d));
  out->push_back(std::move(c));
  return ok_status();
}

Status AnthropicStreamDecoder::on_content_block_delta(JsonObject j,
                                                      std::vector<ChatChunk>* out) {
  auto d = find_object(j, "delta");
  if (!d) return ok_status();
  auto dt = find_string(*d, "type");
  if (dt == "text_delta") {
    ChatChunk c = chunk();
    if (auto v = find_string(*d, "text")) c.text = *v;
    if (!c.text.empty()) out->push_back(std::move(c));
  } else if (dt == "input_json_delta") {
    auto idx = find(j, "index");
    uint64_t u = 0;
    size_t index =
        idx && idx->get_uint64().get(u) == simdjson::SUCCESS ? static_cast<size_t>(u) : 0;
    if (index >= block_tool_index_.size() || block_tool_index_[index] < 0)
      return Error(ErrorCode::kUpstream,
                   "upstream stream: input_json_delta for a block that is not tool_use");
    ChatChunk c = chunk();
    ToolCallDelta td;
    td.index = block_tool_index_[index];
    if (auto v = find_string(*d, "partial_json")) td.arguments = *v;
    c.tool_calls.push_back(std::move(td));
    out->push_back(std::move(c));
  }
  return ok_status();
}

ChatChunk AnthropicStreamDecoder::chunk() const {
  ChatChunk c;
  c.id = id_;
  c.model = model_;
  return c;
}

Result<std::vector<ChatChunk>> AnthropicStreamDecoder::on_event(std::string_view event_name,
                                                                std::string_view data) {
  std::vector<ChatChunk> out;
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, data);
  if (!parsed.ok())
    return Error(ErrorCode::kUpstream, "upstream stream: event data is not a JSON object");
  JsonObject j = *parsed;
  std::string_view type = find_string(j, "type").value_or(event_name);
  if (type == "message_start") {
    if (auto m = find_object(j, "message")) {
      if (auto v = find_string(*m, "id")) id_ = *v;
      if (auto v = find_string(*m, "model")) model_ = *v;
      detail::read_anthropic_usage(find_object(*m, "usage"), &usage_);
    }
    ChatChunk c = chunk();
    c.role = Role::kAssistant;
    out.push_back(std::move(c));
  } else if (type == "content_block_start") {
    FULCRUM_TRY_STATUS(on_content_block_start(j, &out));
  } else if (type == "content_block_delta") {
    FULCRUM_TRY_STATUS(on_content_block_delta(j, &out));
  } else if (type == "message_delta") {
    detail::read_anthropic_usage(find_object(j, "usage"), &usage_);
    ChatChunk c = chunk();
    if (auto d = find_object(j, "delta")) {
      c.finish_reason = detail::parse_anthropic_stop_reason(find_string(*d, "stop_reason"));
      if (auto v = find_string(*d, "stop_sequence")) c.stop_sequence = *v;
    }
    if (!c.finish_reason || *c.finish_reason == FinishReason::kNone)
      c.finish_reason = FinishReason::kStop;
    c.usage = usage_;
    out.push_back(std::move(c));
  } else if (type == "message_stop") {
    done_ = true;
  } else if (type == "error") {
    std::string_view etype;
    std::string msg = "error event";
    if (auto e = find_object(j, "error")) {
      etype = find_string(*e, "type").value_or("");
      if (auto v = find_string(*e, "message")) msg = *v;
    }
    return Error(etype == "overloaded_error" ? ErrorCode::kUnavailable : ErrorCode::kUpstream,
                 "upstream stream error: " + msg);
  }
  return out;
}

}  // namespace fulcrum::api
