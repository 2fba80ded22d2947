// OpenAI replies, following the public API reference (platform.openai.com/docs/api-reference):
// chat completions, stream chunks, legacy completions, embeddings, models and errors — written
// to clients, and parsed from OpenAI-compatible upstreams. Requests are in openai_json.cpp.
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "api/json_util.h"
#include "api/openai_json.h"

namespace fulcrum::api {

namespace detail {
// openai_json.cpp
Result<std::vector<ContentPart>> parse_openai_content(JsonObject m, const Path& path,
                                                      bool required);
Result<std::vector<ToolCall>> parse_openai_tool_calls(JsonObject m, const Path& base);
void write_openai_tool_calls(JsonWriter& w, const std::vector<ToolCall>& calls);
}  // namespace detail

namespace {

using detail::bad_field;
using detail::find;
using detail::JsonArray;
using detail::JsonObject;
using detail::JsonValue;
using detail::Path;

void write_usage(JsonWriter& w, const Usage& u) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", u.prompt_tokens).field("completion_tokens", u.completion_tokens);
  w.field("total_tokens", u.total());
  if (u.cached_tokens > 0) {
    w.key("prompt_tokens_details").begin_object().field("cached_tokens", u.cached_tokens);
    w.end_object();
  }
  w.end_object();
}

void write_finish(JsonWriter& w, std::optional<FinishReason> r) {
  w.key("finish_reason");
  if (!r || *r == FinishReason::kNone) {
    w.null();
  } else {
    w.value(openai_finish_reason(*r));
  }
}

// {"id","object","created","model","choices":[ — the head every reply shape shares.
void write_head(JsonWriter& w, std::string_view id, std::string_view object, int64_t created,
                std::string_view model) {
  w.begin_object().field("id", id).field("object", object).field("created", created);
  w.field("model", model).key("choices").begin_array();
}

bool usage_only(const ChatChunk& c) {
  return c.usage && !c.role && c.text.empty() && c.tool_calls.empty() && !c.finish_reason;
}

}  // namespace

std::string openai_chat_response_json(const ChatResponse& r) {
  std::string out;
  size_t text = 0;  // one allocation for the whole reply: its frame plus the texts it carries
  for (const auto& c : r.choices) {
    for (const auto& p : c.message.content) text += p.text.size();
    for (const auto& t : c.message.tool_calls) text += t.arguments.size() + 96;
    text += c.message.refusal.size() + 160;
  }
  out.reserve(384 + text + text / 8);
  JsonWriter w(&out);
  write_head(w, r.id, "chat.completion", r.created, r.model);
  for (const auto& c : r.choices) {
    w.begin_object().field("index", c.index).key("message").begin_object();
    w.field("role", "assistant").key("content");
    const auto& parts = c.message.content;
    if (parts.size() == 1 && parts[0].kind == ContentPart::Kind::kText) {
      w.value(parts[0].text);  // the common case, without a joined copy
    } else if (std::string text = c.message.text(); text.empty() && !c.message.tool_calls.empty()) {
      w.null();
    } else {
      w.value(text);
    }
    w.key("refusal");
    if (c.message.refusal.empty()) {
      w.null();
    } else {
      w.value(c.message.refusal);
    }
    if (!c.message.tool_calls.empty()) {
      w.key("tool_calls");
      detail::write_openai_tool_calls(w, c.message.tool_calls);
    }
    w.end_object().null_field("logprobs");
    write_finish(w, c.finish_reason);
    w.end_object();
  }
  w.end_array();
  if (r.usage) write_usage(w, *r.usage);
  w.end_object();
  return out;
}

std::string openai_completion_response_json(const ChatResponse& r) {
  std::string out;
  JsonWriter w(&out);
  write_head(w, r.id, "text_completion", r.created, r.model);
  for (const auto& c : r.choices) {
    w.begin_object().field("index", c.index).field("text", c.message.text());
    w.null_field("logprobs");
    write_finish(w, c.finish_reason);
    w.end_object();
  }
  w.end_array();
  if (r.usage) write_usage(w, *r.usage);
  w.end_object();
  return out;
}

std::string openai_chunk_json(const ChatChunk& c) {
  std::string out;
  out.reserve(192 + c.text.size());
  JsonWriter w(&out);
  write_head(w, c.id, "chat.completion.chunk", c.created, c.model);
  if (!usage_only(c)) {
    w.begin_object().field("index", c.index).key("delta").begin_object();
    if (c.role) w.field("role", role_name(*c.role));
    if (!c.text.empty() || (c.role && c.tool_calls.empty())) w.field("content", c.text);
    if (!c.tool_calls.empty()) {
      w.key("tool_calls").begin_array();
      for (const auto& t : c.tool_calls) {
        w.begin_object().field("index", t.index);
        if (!t.id.empty()) w.field("id", t.id).field("type", "function");
        w.key("function").begin_object().field("arguments", t.arguments);
        if (!t.name.empty()) w.field("name", t.name);
        w.end_object().end_object();
      }
      w.end_array();
    }
    w.end_object().null_field("logprobs");
    write_finish(w, c.finish_reason);
    w.end_object();
  }
  w.end_array();
  if (c.usage) write_usage(w, *c.usage);
  w.end_object();
  return out;
}

std::string openai_completion_chunk_json(const ChatChunk& c) {
  std::string out;
  JsonWriter w(&out);
  write_head(w, c.id, "text_completion", c.created, c.model);
  if (!usage_only(c)) {
    w.begin_object().field("index", c.index).field("text", c.text).null_field("logprobs");
    write_finish(w, c.finish_reason);
    w.end_object();
  }
  w.end_array();
  if (c.usage) write_usage(w, *c.usage);
  w.end_object();
  return out;
}

namespace {

// The vector as little-endian float32 bytes in base64 (encoding_format "base64").
std::string base64_floats(const std::vector<float>& v) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int k = 0; k < 4; ++k) bytes[i * 4 + k] = static_cast<char>((u >> (8 * k)) & 0xff);
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kAlphabet[n & 63] : '=');
  }
  return out;
}

// float32 values as the shortest decimals that read back to them (0.1f prints as 0.1, not as
// its double expansion 0.10000000149011612).
void write_floats(JsonWriter& w, const std::vector<float>& v) {
  w.begin_array();
  for (float f : v) {
    if (!std::isfinite(f)) {
      w.null();
      continue;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, f);
    w.raw(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
  w.end_array();
}

struct ErrorType {
  int status;
  std::string_view type;
};
constexpr ErrorType kErrorTypes[] = {
    {400, "invalid_request_error"}, {401, "authentication_error"}, {403, "permission_error"},
    {404, "not_found_error"},       {409, "conflict_error"},       {413, "request_too_large"},
    {429, "rate_limit_error"},      {503, "overloaded_error"},
};

std::string_view openai_error_type(int status) {
  for (const auto& e : kErrorTypes)
    if (e.status == status) return e.type;
  return status < 500 ? "invalid_request_error" : "api_error";
}

}  // namespace

std::string openai_embedding_response_json(const EmbeddingResponse& r,
                                           std::string_view encoding_format) {
  bool b64 = encoding_format == "base64";
  std::string out;
  JsonWriter w(&out);
  w.begin_object().field("object", "list").key("data").begin_array();
  for (size_t i = 0; i < r.data.size(); ++i) {
    w.begin_object().field("object", "embedding").field("index", i).key("embedding");
    if (b64) {
      w.value(base64_floats(r.data[i]));
    } else {
      write_floats(w, r.data[i]);
    }
    w.end_object();
  }
  w.end_array().field("model", r.model).key("usage").begin_object();
  w.field("prompt_tokens", r.usage.prompt_tokens).field("total_tokens", r.usage.prompt_tokens);
  w.end_object().end_object();
  return out;
}

std::string openai_error_json(const Error& e) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("error").begin_object().field("message", e.message());
  w.field("type", openai_error_type(e.http_status())).key("param");
  if (e.field().empty()) {
    w.null();
  } else {
    w.value(e.field());
  }
  w.field("code", error_code_name(e.code())).end_object().end_object();
  return out;
}

std::string openai_models_json(const std::vector<ModelEntry>& models) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().field("object", "list").key("data").begin_array();
  for (const auto& m : models) {
    w.begin_object().field("id", m.id).field("object", "model").field("created", m.created);
    w.field("owned_by", m.owned_by).end_object();
  }
  w.end_array().end_object();
  return out;
}

// --- from upstreams ---

namespace {

struct FinishName {
  std::string_view name;
  FinishReason reason;
};
constexpr FinishName kFinishNames[] = {{"stop", FinishReason::kStop},
                                       {"length", FinishReason::kLength},
                                       {"tool_calls", FinishReason::kToolCalls},
                                       {"function_call", FinishReason::kToolCalls},
                                       {"content_filter", FinishReason::kContentFilter}};

FinishReason parse_finish(JsonValue v) {
  std::string_view s;
  if (v.get_string().get(s)) return FinishReason::kNone;
  for (const auto& f : kFinishNames)
    if (f.name == s) return f.reason;
  return FinishReason::kStop;
}

Result<std::optional<Usage>> parse_usage(JsonObject j) {
  auto uv = find(j, "usage");
  if (!uv) return std::optional<Usage>();
  Path path("usage");
  JsonObject u;
  if (uv->get(u)) return bad_field(path, "must be an object");
  Usage usage;
  FULCRUM_TRY(auto p, detail::opt_int(u, "prompt_tokens", path));
  FULCRUM_TRY(auto c, detail::opt_int(u, "completion_tokens", path));
  usage.prompt_tokens = p.value_or(0);
  usage.completion_tokens = c.value_or(0);
  if (auto d = detail::find_object(u, "prompt_tokens_details")) {
    FULCRUM_TRY(auto cached,
                detail::opt_int(*d, "cached_tokens", Path("usage.prompt_tokens_details")));
    usage.cached_tokens = cached.value_or(0);
  }
  return std::optional<Usage>(usage);
}

Error upstream_error(const Error& e) {
  return Error(ErrorCode::kUpstream, "upstream reply: " + e.message()).with_field(e.field());
}

Result<Choice> parse_choice(JsonValue cv, size_t i) {
  Path root("choices");
  Path path = root.index(i);
  JsonObject c;
  if (cv.get(c)) return upstream_error(bad_field(path, "must be an object"));
  Choice choice;
  choice.index = static_cast<int>(detail::find_int(c, "index").value_or(static_cast<int64_t>(i)));
  auto msg = detail::find_object(c, "message");
  if (!msg) return upstream_error(bad_field(path.key("message"), "must be an object"));
  choice.message.role = Role::kAssistant;
  Path mpath = path.key("message");
  auto content = detail::parse_openai_content(*msg, mpath.key("content"), false);
  if (!content.ok()) return upstream_error(content.error());
  choice.message.content = std::move(*content);
  auto calls = detail::parse_openai_tool_calls(*msg, mpath);
  if (!calls.ok()) return upstream_error(calls.error());
  choice.message.tool_calls = std::move(*calls);
  if (auto ref = detail::find_string(*msg, "refusal")) choice.message.refusal = *ref;
  if (auto fr = find(c, "finish_reason")) choice.finish_reason = parse_finish(*fr);
  return choice;
}

}  // namespace

Result<ChatResponse> parse_openai_chat_response(std::string_view body) {
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, body);
  if (!parsed.ok()) return upstream_error(parsed.error());
  JsonObject j = *parsed;
  ChatResponse r;
  auto id = detail::opt_string(j, "id", Path());
  auto model = detail::opt_string(j, "model", Path());
  auto created = detail::opt_int(j, "created", Path());
  if (!id.ok() || !model.ok() || !created.ok())
    return Error(ErrorCode::kUpstream, "upstream reply: bad id/model/created");
  r.id = *id ? std::string(**id) : detail::make_id("chatcmpl-");
  if (*model) r.model = **model;
  r.created = created->value_or(detail::unix_now());
  JsonArray choices;
  auto cv = find(j, "choices");
  if (!cv || cv->get(choices))
    return Error(ErrorCode::kUpstream, "upstream reply has no choices array");
  size_t i = 0;
  for (JsonValue c : choices) {
    FULCRUM_TRY(auto choice, parse_choice(c, i++));
    r.choices.push_back(std::move(choice));
  }
  auto usage = parse_usage(j);
  if (!usage.ok()) return upstream_error(usage.error());
  r.usage = *usage;
  return r;
}

namespace {

void parse_delta(JsonObject d, ChatChunk* chunk) {
  if (detail::find_string(d, "role")) chunk->role = Role::kAssistant;
  if (auto t = detail::find_string(d, "content")) chunk->text = *t;
  auto tcs = find(d, "tool_calls");
  JsonArray arr;
  if (!tcs || tcs->get(arr)) return;
  for (JsonValue tv : arr) {
    JsonObject tc;
    if (tv.get(tc)) continue;
    ToolCallDelta td;
    td.index = static_cast<int>(detail::find_int(tc, "index").value_or(0));
    if (auto v = detail::find_string(tc, "id")) td.id = *v;
    if (auto fn = detail::find_object(tc, "function")) {
      if (auto v = detail::find_string(*fn, "name")) td.name = *v;
      if (auto v = detail::find_string(*fn, "arguments")) td.arguments = *v;
    }
    chunk->tool_calls.push_back(std::move(td));
  }
}

}  // namespace

Result<std::vector<ChatChunk>> parse_openai_chunk(std::string_view data) {
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, data);
  if (!parsed.ok()) return upstream_error(parsed.error());
  JsonObject j = *parsed;
  if (auto err = find(j, "error")) {
    std::string msg = "error event in stream";
    JsonObject eo;
    if (err->get(eo) == simdjson::SUCCESS)
      if (auto m = detail::find_string(eo, "message")) msg = *m;
    return Error(ErrorCode::kUpstream, "upstream stream error: " + msg);
  }
  ChatChunk base;
  if (auto v = detail::find_string(j, "id")) base.id = *v;
  if (auto v = detail::find_string(j, "model")) base.model = *v;
  if (auto v = detail::find_int(j, "created")) base.created = *v;
  std::vector<ChatChunk> out;
  auto cv = find(j, "choices");
  JsonArray choices;
  if (cv && cv->get(choices))
    return Error(ErrorCode::kUpstream, "upstream chunk: choices must be an array");
  if (cv) {
    for (JsonValue chv : choices) {
      JsonObject c;
      if (chv.get(c))
        return Error(ErrorCode::kUpstream, "upstream chunk: choice must be an object");
      ChatChunk chunk = base;
      if (auto idx = detail::find_int(c, "index")) chunk.index = static_cast<int>(*idx);
      if (auto d = detail::find_object(c, "delta")) parse_delta(*d, &chunk);
      if (auto fr = find(c, "finish_reason")) chunk.finish_reason = parse_finish(*fr);
      out.push_back(std::move(chunk));
    }
  }
  auto usage = parse_usage(j);
  if (!usage.ok()) return upstream_error(usage.error());
  if (*usage) {
    if (out.empty()) out.push_back(base);
    out.back().usage = *usage;
  }
  return out;
}

Result<EmbeddingResponse> parse_openai_embedding_response(std::string_view body) {
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, body);
  if (!parsed.ok()) return upstream_error(parsed.error());
  JsonObject j = *parsed;
  EmbeddingResponse r;
  if (auto v = detail::find_string(j, "model")) r.model = *v;
  auto dv = find(j, "data");
  JsonArray data;
  if (!dv || dv->get(data)) return Error(ErrorCode::kUpstream, "upstream reply has no data array");
  r.data.resize(data.size());
  size_t i = 0;
  for (JsonValue ev : data) {
    size_t idx = i++;
    JsonObject d;
    JsonArray e;
    bool ok = ev.get(d) == simdjson::SUCCESS;
    if (ok) {
      uint64_t u;
      if (auto v = find(d, "index"); v && v->get_uint64().get(u) == simdjson::SUCCESS) idx = u;
      auto emb = find(d, "embedding");
      ok = emb && emb->get(e) == simdjson::SUCCESS;
    }
    if (!ok || idx >= r.data.size())
      return Error(ErrorCode::kUpstream, "upstream reply: bad embedding entry");
    auto& vec = r.data[idx];
    vec.reserve(e.size());
    for (JsonValue x : e) {
      double f;
      if (x.get_double().get(f))
        return Error(ErrorCode::kUpstream, "upstream reply: embedding values must be numbers");
      vec.push_back(static_cast<float>(f));
    }
  }
  if (auto u = detail::find_object(j, "usage"))
    if (auto p = detail::find_int(*u, "prompt_tokens")) r.usage.prompt_tokens = *p;
  return r;
}

std::string openai_error_message(std::string_view body) {
  detail::ParserLease lease;
  auto parsed = detail::parse_object(lease, body);
  if (parsed.ok()) {
    JsonObject j = *parsed;
    auto e = find(j, "error");
    JsonObject eo;
    if (e && e->get(eo) == simdjson::SUCCESS)
      if (auto m = detail::find_string(eo, "message")) return std::string(*m);
    if (auto s = detail::find_string(j, "error")) return std::string(*s);
    if (auto m = detail::find_string(j, "message")) return std::string(*m);
  }
  return std::string(body.substr(0, 200));
}

}  // namespace fulcrum::api
