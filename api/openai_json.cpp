// OpenAI Chat Completions requests, following the public API reference
// (platform.openai.com/docs/api-reference/chat): inbound parsing (client -> Fulcrum) and
// outbound writing (Fulcrum -> an OpenAI-compatible upstream). Unknown request fields are
// ignored, as the reference's server does for fields it does not know; known fields are type-
// and range-checked. Replies, chunks and errors are in openai_reply_json.cpp.
#include "api/openai_json.h"

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

Result<ContentPart> parse_part(JsonValue pv, const Path& path) {
  JsonObject p;
  if (pv.get(p)) return bad_field(path, "must be an object");
  FULCRUM_TRY(std::string_view type, detail::req_view(p, "type", path));
  ContentPart part;
  if (type == "text") {
    FULCRUM_TRY(part.text, detail::req_string(p, "text", path));
  } else if (type == "refusal") {
    FULCRUM_TRY(part.text, detail::req_string(p, "refusal", path));
  } else if (type == "image_url") {
    Path ipath = path.key("image_url");
    auto img = detail::find_object(p, "image_url");
    if (!img) return bad_field(ipath, "must be an object");
    part.kind = ContentPart::Kind::kImage;
    FULCRUM_TRY(part.url, detail::req_string(*img, "url", ipath));
    FULCRUM_TRY(auto detail_v, detail::opt_string(*img, "detail", ipath));
    part.detail = detail_v.value_or("");
  } else if (type == "input_audio") {
    Path apath = path.key("input_audio");
    auto a = detail::find_object(p, "input_audio");
    if (!a) return bad_field(apath, "must be an object");
    part.kind = ContentPart::Kind::kAudio;
    FULCRUM_TRY(part.data, detail::req_string(*a, "data", apath));
    FULCRUM_TRY(part.media_type, detail::req_string(*a, "format", apath));
  } else if (type == "file") {
    Path fpath = path.key("file");
    auto f = detail::find_object(p, "file");
    if (!f) return bad_field(fpath, "must be an object");
    part.kind = ContentPart::Kind::kFile;
    FULCRUM_TRY(auto id, detail::opt_string(*f, "file_id", fpath));
    FULCRUM_TRY(auto data, detail::opt_string(*f, "file_data", fpath));
    if (!id && !data) return bad_field(fpath, "needs file_id or file_data");
    part.url = id.value_or("");
    part.data = data.value_or("");
  } else {
    return bad_field(path.key("type"), fmt::format("unknown content part type '{}'", type));
  }
  return part;
}

}  // namespace

namespace detail {

// Shared with openai_reply_json.cpp (upstream replies carry the same content shapes).
Result<std::vector<ContentPart>> parse_openai_content(JsonObject m, const Path& path,
                                                      bool required) {
  std::vector<ContentPart> out;
  auto c = find(m, "content");
  if (!c) {
    if (required) return bad_field(path, "is required");
    return out;
  }
  std::string_view s;
  if (c->get_string().get(s) == simdjson::SUCCESS) {
    out.push_back(ContentPart{.text = std::string(s)});
    return out;
  }
  JsonArray arr;
  if (c->get(arr)) return bad_field(path, "must be a string or an array of content parts");
  out.reserve(arr.size());
  size_t i = 0;
  for (JsonValue p : arr) {
    FULCRUM_TRY(auto part, parse_part(p, path.index(i++)));
    out.push_back(std::move(part));
  }
  return out;
}

Result<std::vector<ToolCall>> parse_openai_tool_calls(JsonObject m, const Path& base) {
  std::vector<ToolCall> out;
  auto tc = find(m, "tool_calls");
  if (!tc) return out;
  Path path = base.key("tool_calls");
  JsonArray arr;
  if (tc->get(arr)) return bad_field(path, "must be an array");
  size_t i = 0;
  for (JsonValue cv : arr) {
    Path cpath = path.index(i++);
    JsonObject c;
    if (cv.get(c)) return bad_field(cpath, "must be an object");
    ToolCall call;
    FULCRUM_TRY(call.id, req_string(c, "id", cpath));
    Path fpath = cpath.key("function");
    auto fn = find_object(c, "function");
    if (!fn) return bad_field(fpath, "must be an object");
    FULCRUM_TRY(call.name, req_string(*fn, "name", fpath));
    FULCRUM_TRY(auto args, opt_string(*fn, "arguments", fpath));
    call.arguments = args ? std::string(*args) : "{}";
    out.push_back(std::move(call));
  }
  return out;
}

}  // namespace detail

namespace {

struct RoleName {
  std::string_view name;
  Role role;
};
constexpr RoleName kRoles[] = {{"system", Role::kSystem},
                               {"developer", Role::kDeveloper},
                               {"user", Role::kUser},
                               {"assistant", Role::kAssistant},
                               {"tool", Role::kTool}};

Result<Role> parse_role(std::string_view r, const Path& path) {
  for (const auto& e : kRoles)
    if (e.name == r) return e.role;
  return bad_field(path, fmt::format("unknown role '{}'", r));
}

Result<Message> parse_message(JsonValue mv, const Path& path) {
  JsonObject m;
  if (mv.get(m)) return bad_field(path, "must be an object");
  FULCRUM_TRY(std::string_view role_s, detail::req_view(m, "role", path));
  FULCRUM_TRY(auto role, parse_role(role_s, path.key("role")));
  Message msg;
  msg.role = role;
  bool content_required = role != Role::kAssistant;
  FULCRUM_TRY(msg.content, detail::parse_openai_content(m, path.key("content"), content_required));
  FULCRUM_TRY(auto name, detail::opt_string(m, "name", path));
  if (name) msg.name = *name;
  if (role == Role::kAssistant) {
    FULCRUM_TRY(msg.tool_calls, detail::parse_openai_tool_calls(m, path));
    FULCRUM_TRY(auto refusal, detail::opt_string(m, "refusal", path));
    if (refusal) msg.refusal = *refusal;
  }
  if (role == Role::kTool) {
    FULCRUM_TRY(msg.tool_call_id, detail::req_string(m, "tool_call_id", path));
  }
  return msg;
}

Status parse_tools(JsonObject body, ChatRequest* req) {
  auto tools = find(body, "tools");
  if (!tools) return ok_status();
  JsonArray arr;
  if (tools->get(arr)) return bad_field(Path("tools"), "must be an array");
  Path root("tools");
  size_t i = 0;
  for (JsonValue tv : arr) {
    Path path = root.index(i++);
    JsonObject t;
    if (tv.get(t)) return bad_field(path, "must be an object");
    FULCRUM_TRY(std::string_view type, detail::req_view(t, "type", path));
    if (type != "function") return bad_field(path.key("type"), "must be \"function\"");
    Path fpath = path.key("function");
    auto fn = detail::find_object(t, "function");
    if (!fn) return bad_field(fpath, "must be an object");
    Tool tool;
    FULCRUM_TRY(tool.name, detail::req_string(*fn, "name", fpath));
    FULCRUM_TRY(auto desc, detail::opt_string(*fn, "description", fpath));
    if (desc) tool.description = *desc;
    auto params = find(*fn, "parameters");
    if (params && !params->is_object())
      return bad_field(fpath.key("parameters"), "must be an object");
    tool.parameters = params ? detail::minify(*params) : "{}";
    FULCRUM_TRY(auto strict, detail::opt_bool(*fn, "strict", fpath));
    tool.strict = strict.value_or(false);
    req->tools.push_back(std::move(tool));
  }
  return ok_status();
}

Status parse_tool_choice(JsonObject body, ChatRequest* req) {
  FULCRUM_TRY(auto parallel, detail::opt_bool(body, "parallel_tool_calls", Path()));
  auto tc = find(body, "tool_choice");
  if (!tc && !parallel) return ok_status();
  ToolChoice choice;
  choice.parallel_tool_calls = parallel;
  std::string_view s;
  if (tc && tc->get_string().get(s) == simdjson::SUCCESS) {
    if (s == "auto")
      choice.mode = ToolChoice::Mode::kAuto;
    else if (s == "none")
      choice.mode = ToolChoice::Mode::kNone;
    else if (s == "required")
      choice.mode = ToolChoice::Mode::kRequired;
    else
      return bad_field(Path("tool_choice"),
                       "must be \"auto\", \"none\", \"required\" or an object");
  } else if (JsonObject tco; tc && tc->get(tco) == simdjson::SUCCESS) {
    Path fpath("tool_choice.function");
    auto fn = detail::find_object(tco, "function");
    if (!fn) return bad_field(fpath, "must be an object");
    choice.mode = ToolChoice::Mode::kTool;
    FULCRUM_TRY(choice.name, detail::req_string(*fn, "name", fpath));
  } else if (tc) {
    return bad_field(Path("tool_choice"), "must be a string or an object");
  }
  req->tool_choice = choice;
  return ok_status();
}

Status parse_response_format(JsonObject body, ChatRequest* req) {
  auto rfv = find(body, "response_format");
  if (!rfv) return ok_status();
  Path path("response_format");
  JsonObject rf;
  if (rfv->get(rf)) return bad_field(path, "must be an object");
  FULCRUM_TRY(std::string_view type, detail::req_view(rf, "type", path));
  ResponseFormat f;
  if (type == "text") {
    f.type = ResponseFormat::Type::kText;
  } else if (type == "json_object") {
    f.type = ResponseFormat::Type::kJsonObject;
  } else if (type == "json_schema") {
    f.type = ResponseFormat::Type::kJsonSchema;
    Path jpath("response_format.json_schema");
    auto js = detail::find_object(rf, "json_schema");
    if (!js) return bad_field(jpath, "must be an object");
    FULCRUM_TRY(f.name, detail::req_string(*js, "name", jpath));
    auto schema = find(*js, "schema");
    f.schema = schema ? detail::minify(*schema) : "{}";
    FULCRUM_TRY(auto strict, detail::opt_bool(*js, "strict", jpath));
    f.strict = strict.value_or(false);
  } else {
    return bad_field(path.key("type"), fmt::format("unknown type '{}'", type));
  }
  req->response_format = std::move(f);
  return ok_status();
}

Status parse_stop(JsonObject body, ChatRequest* req) {
  auto stop = find(body, "stop");
  if (!stop) return ok_status();
  Path path("stop");
  std::string_view s;
  if (stop->get_string().get(s) == simdjson::SUCCESS) {
    req->stop.emplace_back(s);
    return ok_status();
  }
  JsonArray arr;
  if (stop->get(arr) || arr.size() > 4)
    return bad_field(path, "must be a string or an array of at most 4 strings");
  size_t i = 0;
  for (JsonValue v : arr) {
    if (v.get_string().get(s)) return bad_field(path.index(i), "must be a string");
    req->stop.emplace_back(s);
    ++i;
  }
  return ok_status();
}

Status parse_sampling(JsonObject body, ChatRequest* req) {
  Path root;
  FULCRUM_TRY(auto max_completion, detail::opt_int(body, "max_completion_tokens", root));
  FULCRUM_TRY(auto max_tokens, detail::opt_int(body, "max_tokens", root));
  req->max_tokens = max_completion ? max_completion : max_tokens;
  if (req->max_tokens && *req->max_tokens < 1)
    return bad_field(Path(max_completion ? "max_completion_tokens" : "max_tokens"),
                     "must be at least 1");
  FULCRUM_TRY(req->temperature, detail::opt_range(body, "temperature", 0, 2, root));
  FULCRUM_TRY(req->top_p, detail::opt_range(body, "top_p", 0, 1, root));
  FULCRUM_TRY(req->presence_penalty, detail::opt_range(body, "presence_penalty", -2, 2, root));
  FULCRUM_TRY(req->frequency_penalty, detail::opt_range(body, "frequency_penalty", -2, 2, root));
  FULCRUM_TRY(req->seed, detail::opt_int(body, "seed", root));
  FULCRUM_TRY(auto n, detail::opt_int(body, "n", root));
  if (n && (*n < 1 || *n > 128)) return bad_field(Path("n"), "must be between 1 and 128");
  req->n = static_cast<int>(n.value_or(1));
  FULCRUM_TRY_STATUS(parse_stop(body, req));
  FULCRUM_TRY(auto stream, detail::opt_bool(body, "stream", root));
  req->stream = stream.value_or(false);
  if (auto sov = find(body, "stream_options")) {
    JsonObject so;
    if (sov->get(so)) return bad_field(Path("stream_options"), "must be an object");
    FULCRUM_TRY(auto iu, detail::opt_bool(so, "include_usage", Path("stream_options")));
    req->include_usage = iu.value_or(false);
  }
  return ok_status();
}

Status parse_user_metadata(JsonObject body, ChatRequest* req) {
  FULCRUM_TRY(auto user, detail::opt_string(body, "user", Path()));
  if (user) req->user = *user;
  auto mdv = find(body, "metadata");
  if (!mdv) return ok_status();
  Path path("metadata");
  JsonObject md;
  if (mdv->get(md)) return bad_field(path, "must be an object of strings");
  for (auto field : md) {
    std::string_view v;
    if (field.value.get_string().get(v)) return bad_field(path.key(field.key), "must be a string");
    req->metadata[std::string(field.key)] = std::string(v);
  }
  return ok_status();
}

Status parse_messages(JsonObject body, ChatRequest* req) {
  auto msgs = find(body, "messages");
  Path path("messages");
  if (!msgs) return bad_field(path, "is required");
  JsonArray arr;
  if (msgs->get(arr) || arr.size() == 0) return bad_field(path, "must be a non-empty array");
  req->messages.reserve(arr.size());
  bool leading = true;
  size_t i = 0;
  for (JsonValue mv : arr) {
    FULCRUM_TRY(auto m, parse_message(mv, path.index(i++)));
    if (leading && (m.role == Role::kSystem || m.role == Role::kDeveloper)) {
      for (auto& p : m.content) req->system.push_back(std::move(p));
      continue;
    }
    leading = false;
    req->messages.push_back(std::move(m));
  }
  return ok_status();
}

Status parse_model(JsonObject body, std::string* model) {
  FULCRUM_TRY(*model, detail::req_string(body, "model", Path()));
  if (model->empty()) return bad_field(Path("model"), "must not be empty");
  return ok_status();
}

}  // namespace

// --- inbound ---

Result<ChatRequest> parse_openai_chat_request(std::string_view body) {
  detail::ParserLease lease;
  FULCRUM_TRY(JsonObject j, detail::parse_object(lease, body));
  ChatRequest req;
  req.dialect = Dialect::kOpenAi;
  FULCRUM_TRY_STATUS(parse_model(j, &req.model));
  FULCRUM_TRY_STATUS(parse_messages(j, &req));
  FULCRUM_TRY_STATUS(parse_tools(j, &req));
  FULCRUM_TRY_STATUS(parse_tool_choice(j, &req));
  FULCRUM_TRY_STATUS(parse_response_format(j, &req));
  FULCRUM_TRY_STATUS(parse_sampling(j, &req));
  FULCRUM_TRY_STATUS(parse_user_metadata(j, &req));
  return req;
}

Result<ChatRequest> parse_openai_completion_request(std::string_view body) {
  detail::ParserLease lease;
  FULCRUM_TRY(JsonObject j, detail::parse_object(lease, body));
  ChatRequest req;
  req.legacy_completion = true;
  FULCRUM_TRY_STATUS(parse_model(j, &req.model));
  auto prompt = find(j, "prompt");
  Path path("prompt");
  if (!prompt) return bad_field(path, "is required");
  std::string_view text;
  JsonArray arr;
  if (prompt->get_string().get(text) == simdjson::SUCCESS) {
    // taken as is
  } else if (prompt->get(arr) == simdjson::SUCCESS && arr.size() == 1 &&
             arr.at(0).get_string().get(text) == simdjson::SUCCESS) {
    // one prompt in an array
  } else {
    return bad_field(path, "must be a string (batched and token-id prompts are not supported)");
  }
  req.messages.push_back(
      Message{.role = Role::kUser, .content = {ContentPart{.text = std::string(text)}}});
  FULCRUM_TRY_STATUS(parse_sampling(j, &req));
  if (req.n != 1) return bad_field(Path("n"), "only n = 1 is supported on /v1/completions");
  FULCRUM_TRY_STATUS(parse_user_metadata(j, &req));
  return req;
}

Result<EmbeddingRequest> parse_openai_embedding_request(std::string_view body) {
  detail::ParserLease lease;
  FULCRUM_TRY(JsonObject j, detail::parse_object(lease, body));
  EmbeddingRequest req;
  Path root;
  FULCRUM_TRY(req.model, detail::req_string(j, "model", root));
  auto input = find(j, "input");
  Path path("input");
  if (!input) return bad_field(path, "is required");
  std::string_view s;
  JsonArray arr;
  if (input->get_string().get(s) == simdjson::SUCCESS) {
    req.input.emplace_back(s);
  } else if (input->get(arr) == simdjson::SUCCESS && arr.size() > 0) {
    size_t i = 0;
    for (JsonValue v : arr) {
      if (v.get_string().get(s))
        return bad_field(path.index(i), "must be a string (token-id input is not supported)");
      req.input.emplace_back(s);
      ++i;
    }
  } else {
    return bad_field(path, "must be a string or a non-empty array of strings");
  }
  FULCRUM_TRY(auto fmt_v, detail::opt_string(j, "encoding_format", root));
  req.encoding_format = fmt_v ? std::string(*fmt_v) : "float";
  if (req.encoding_format != "float" && req.encoding_format != "base64")
    return bad_field(Path("encoding_format"), "must be \"float\" or \"base64\"");
  FULCRUM_TRY(req.dimensions, detail::opt_int(j, "dimensions", root));
  if (req.dimensions && *req.dimensions < 1)
    return bad_field(Path("dimensions"), "must be at least 1");
  FULCRUM_TRY(auto user, detail::opt_string(j, "user", root));
  if (user) req.user = *user;
  return req;
}

// --- outbound ---

namespace detail {

void write_openai_tool_calls(JsonWriter& w, const std::vector<ToolCall>& calls) {
  w.begin_array();
  for (const auto& c : calls) {
    w.begin_object().field("id", c.id).field("type", "function").key("function").begin_object();
    w.field("name", c.name).field("arguments", c.arguments).end_object().end_object();
  }
  w.end_array();
}

}  // namespace detail

namespace {

void write_content(JsonWriter& w, const std::vector<ContentPart>& parts) {
  bool only_text = true;
  for (const auto& p : parts) only_text = only_text && p.kind == ContentPart::Kind::kText;
  if (only_text && parts.size() == 1) {
    w.value(parts[0].text);
    return;
  }
  w.begin_array();
  for (const auto& p : parts) {
    w.begin_object();
    switch (p.kind) {
      case ContentPart::Kind::kText:
        w.field("type", "text").field("text", p.text);
        break;
      case ContentPart::Kind::kImage: {
        w.field("type", "image_url").key("image_url").begin_object();
        if (p.url.empty()) {
          w.field("url", fmt::format("data:{};base64,{}", p.media_type, p.data));
        } else {
          w.field("url", p.url);
        }
        if (!p.detail.empty()) w.field("detail", p.detail);
        w.end_object();
        break;
      }
      case ContentPart::Kind::kAudio:
        w.field("type", "input_audio").key("input_audio").begin_object();
        w.field("data", p.data).field("format", p.media_type).end_object();
        break;
      case ContentPart::Kind::kFile: {
        w.field("type", "file").key("file").begin_object();
        if (!p.url.empty()) w.field("file_id", p.url);
        if (!p.data.empty()) w.field("file_data", p.data);
        w.end_object();
        break;
      }
    }
    w.end_object();
  }
  w.end_array();
}

void write_message(JsonWriter& w, const Message& m) {
  w.begin_object().field("role", role_name(m.role)).key("content");
  if (m.role == Role::kAssistant && m.content.empty()) {
    w.null();
  } else {
    write_content(w, m.content);
  }
  if (!m.name.empty()) w.field("name", m.name);
  if (!m.tool_calls.empty()) {
    w.key("tool_calls");
    detail::write_openai_tool_calls(w, m.tool_calls);
  }
  if (m.role == Role::kTool) w.field("tool_call_id", m.tool_call_id);
  w.end_object();
}

void write_tools(JsonWriter& w, const ChatRequest& r) {
  w.key("tools").begin_array();
  for (const auto& t : r.tools) {
    w.begin_object().field("type", "function").key("function").begin_object();
    w.field("name", t.name).key("parameters");
    detail::write_object_text(w, t.parameters);
    if (!t.description.empty()) w.field("description", t.description);
    if (t.strict) w.field("strict", true);
    w.end_object().end_object();
  }
  w.end_array();
  if (!r.tool_choice) return;
  const auto& tc = *r.tool_choice;
  w.key("tool_choice");
  switch (tc.mode) {
    case ToolChoice::Mode::kAuto:
      w.value("auto");
      break;
    case ToolChoice::Mode::kNone:
      w.value("none");
      break;
    case ToolChoice::Mode::kRequired:
      w.value("required");
      break;
    case ToolChoice::Mode::kTool:
      w.begin_object().field("type", "function").key("function").begin_object();
      w.field("name", tc.name).end_object().end_object();
      break;
  }
  if (tc.parallel_tool_calls) w.field("parallel_tool_calls", *tc.parallel_tool_calls);
}

void write_response_format(JsonWriter& w, const ResponseFormat& f) {
  w.key("response_format").begin_object();
  switch (f.type) {
    case ResponseFormat::Type::kText:
      w.field("type", "text");
      break;
    case ResponseFormat::Type::kJsonObject:
      w.field("type", "json_object");
      break;
    case ResponseFormat::Type::kJsonSchema:
      w.field("type", "json_schema").key("json_schema").begin_object();
      w.field("name", f.name).key("schema");
      detail::write_object_text(w, f.schema);
      if (f.strict) w.field("strict", true);
      w.end_object();
      break;
  }
  w.end_object();
}

// About how long the request's JSON will be, so it is written into one allocation: its texts,
// with room for the punctuation and field names around them and for escapes.
size_t request_json_estimate(const ChatRequest& r) {
  auto parts = [](const std::vector<ContentPart>& ps) {
    size_t n = 0;
    for (const auto& p : ps) n += p.text.size() + p.url.size() + p.data.size() + 48;
    return n;
  };
  size_t n = 256 + parts(r.system);
  for (const auto& m : r.messages) {
    n += 48 + parts(m.content) + m.name.size() + m.tool_call_id.size() + m.refusal.size();
    for (const auto& t : m.tool_calls) n += 64 + t.id.size() + t.name.size() + t.arguments.size();
  }
  for (const auto& t : r.tools)
    n += 96 + t.name.size() + t.description.size() + t.parameters.size();
  if (r.response_format) n += 64 + r.response_format->schema.size();
  for (const auto& s : r.stop) n += 4 + s.size();
  return n + n / 8;
}

}  // namespace

std::string openai_chat_request_json(const ChatRequest& r, std::string_view model) {
  std::string out;
  out.reserve(request_json_estimate(r) + model.size() + r.user.size());
  JsonWriter w(&out);
  w.begin_object().field("model", model).key("messages").begin_array();
  if (!r.system.empty()) {
    w.begin_object().field("role", "system").key("content");
    write_content(w, r.system);
    w.end_object();
  }
  for (const auto& m : r.messages) write_message(w, m);
  w.end_array();
  // Without tools, tool_choice and parallel_tool_calls mean nothing and are left out.
  if (!r.tools.empty()) write_tools(w, r);
  if (r.response_format) write_response_format(w, *r.response_format);
  if (r.max_tokens) w.field("max_tokens", *r.max_tokens);
  if (r.temperature) w.field("temperature", *r.temperature);
  if (r.top_p) w.field("top_p", *r.top_p);
  if (r.presence_penalty) w.field("presence_penalty", *r.presence_penalty);
  if (r.frequency_penalty) w.field("frequency_penalty", *r.frequency_penalty);
  if (r.seed) w.field("seed", *r.seed);
  if (r.n != 1) w.field("n", r.n);
  if (!r.stop.empty()) {
    w.key("stop").begin_array();
    for (const auto& s : r.stop) w.value(s);
    w.end_array();
  }
  if (r.stream) {
    w.field("stream", true);  // Fulcrum always wants usage for costs
    w.key("stream_options").begin_object().field("include_usage", true).end_object();
  }
  if (!r.user.empty()) w.field("user", r.user);
  w.end_object();
  return out;
}

std::string openai_embedding_request_json(const EmbeddingRequest& r, std::string_view model) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().field("model", model).key("input").begin_array();
  for (const auto& s : r.input) w.value(s);
  w.end_array().field("encoding_format", "float");
  if (r.dimensions) w.field("dimensions", *r.dimensions);
  if (!r.user.empty()) w.field("user", r.user);
  w.end_object();
  return out;
}

}  // namespace fulcrum::api
