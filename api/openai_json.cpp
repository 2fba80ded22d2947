// OpenAI Chat Completions wire shapes, following the public API reference
// (platform.openai.com/docs/api-reference/chat). Unknown request fields are ignored, as the
// reference's server does for fields it does not know; known fields are type- and range-checked.
#include "api/openai_json.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "api/json_util.h"

namespace fulcrum::api {
namespace {

using detail::bad_field;
using detail::find;
using detail::index_path;
using detail::join_path;
using detail::Json;

Result<ContentPart> parse_part(const Json& p, const std::string& path) {
  if (!p.is_object()) return bad_field(path, "must be an object");
  FULCRUM_TRY(auto type, detail::req_string(p, "type", path));
  ContentPart part;
  if (type == "text") {
    FULCRUM_TRY(part.text, detail::req_string(p, "text", path));
  } else if (type == "refusal") {
    FULCRUM_TRY(part.text, detail::req_string(p, "refusal", path));
  } else if (type == "image_url") {
    const Json* img = find(p, "image_url");
    std::string ipath = join_path(path, "image_url");
    if (!img || !img->is_object()) return bad_field(ipath, "must be an object");
    part.kind = ContentPart::Kind::kImage;
    FULCRUM_TRY(part.url, detail::req_string(*img, "url", ipath));
    FULCRUM_TRY(auto detail_v, detail::opt_string(*img, "detail", ipath));
    part.detail = detail_v.value_or("");
  } else if (type == "input_audio") {
    const Json* a = find(p, "input_audio");
    std::string apath = join_path(path, "input_audio");
    if (!a || !a->is_object()) return bad_field(apath, "must be an object");
    part.kind = ContentPart::Kind::kAudio;
    FULCRUM_TRY(part.data, detail::req_string(*a, "data", apath));
    FULCRUM_TRY(part.media_type, detail::req_string(*a, "format", apath));
  } else if (type == "file") {
    const Json* f = find(p, "file");
    std::string fpath = join_path(path, "file");
    if (!f || !f->is_object()) return bad_field(fpath, "must be an object");
    part.kind = ContentPart::Kind::kFile;
    FULCRUM_TRY(auto id, detail::opt_string(*f, "file_id", fpath));
    FULCRUM_TRY(auto data, detail::opt_string(*f, "file_data", fpath));
    if (!id && !data) return bad_field(fpath, "needs file_id or file_data");
    part.url = id.value_or("");
    part.data = data.value_or("");
  } else {
    return bad_field(join_path(path, "type"), fmt::format("unknown content part type '{}'", type));
  }
  return part;
}

Result<std::vector<ContentPart>> parse_content(const Json& m, const std::string& path,
                                               bool required) {
  std::vector<ContentPart> out;
  const Json* c = find(m, "content");
  if (!c) {
    if (required) return bad_field(path, "is required");
    return out;
  }
  if (c->is_string()) {
    out.push_back(ContentPart{.text = c->get<std::string>()});
    return out;
  }
  if (!c->is_array()) return bad_field(path, "must be a string or an array of content parts");
  for (size_t i = 0; i < c->size(); ++i) {
    FULCRUM_TRY(auto part, parse_part((*c)[i], index_path(path, i)));
    out.push_back(std::move(part));
  }
  return out;
}

Result<std::vector<ToolCall>> parse_tool_calls(const Json& m, const std::string& base) {
  std::vector<ToolCall> out;
  const Json* tc = find(m, "tool_calls");
  if (!tc) return out;
  std::string path = join_path(base, "tool_calls");
  if (!tc->is_array()) return bad_field(path, "must be an array");
  for (size_t i = 0; i < tc->size(); ++i) {
    const Json& c = (*tc)[i];
    std::string cpath = index_path(path, i);
    if (!c.is_object()) return bad_field(cpath, "must be an object");
    ToolCall call;
    FULCRUM_TRY(call.id, detail::req_string(c, "id", cpath));
    const Json* fn = find(c, "function");
    std::string fpath = join_path(cpath, "function");
    if (!fn || !fn->is_object()) return bad_field(fpath, "must be an object");
    FULCRUM_TRY(call.name, detail::req_string(*fn, "name", fpath));
    FULCRUM_TRY(auto args, detail::opt_string(*fn, "arguments", fpath));
    call.arguments = args.value_or("{}");
    out.push_back(std::move(call));
  }
  return out;
}

Result<Role> parse_role(std::string_view r, const std::string& path) {
  if (r == "system") return Role::kSystem;
  if (r == "developer") return Role::kDeveloper;
  if (r == "user") return Role::kUser;
  if (r == "assistant") return Role::kAssistant;
  if (r == "tool") return Role::kTool;
  return bad_field(path, fmt::format("unknown role '{}'", r));
}

Result<Message> parse_message(const Json& m, const std::string& path) {
  if (!m.is_object()) return bad_field(path, "must be an object");
  FULCRUM_TRY(auto role_s, detail::req_string(m, "role", path));
  FULCRUM_TRY(auto role, parse_role(role_s, join_path(path, "role")));
  Message msg;
  msg.role = role;
  bool content_required = role != Role::kAssistant;
  FULCRUM_TRY(msg.content, parse_content(m, join_path(path, "content"), content_required));
  FULCRUM_TRY(auto name, detail::opt_string(m, "name", path));
  msg.name = name.value_or("");
  if (role == Role::kAssistant) {
    FULCRUM_TRY(msg.tool_calls, parse_tool_calls(m, path));
    FULCRUM_TRY(auto refusal, detail::opt_string(m, "refusal", path));
    msg.refusal = refusal.value_or("");
  }
  if (role == Role::kTool) {
    FULCRUM_TRY(msg.tool_call_id, detail::req_string(m, "tool_call_id", path));
  }
  return msg;
}

Status parse_tools(const Json& body, ChatRequest* req) {
  const Json* tools = find(body, "tools");
  if (!tools) return ok_status();
  if (!tools->is_array()) return bad_field("tools", "must be an array");
  for (size_t i = 0; i < tools->size(); ++i) {
    const Json& t = (*tools)[i];
    std::string path = index_path("tools", i);
    if (!t.is_object()) return bad_field(path, "must be an object");
    FULCRUM_TRY(auto type, detail::req_string(t, "type", path));
    if (type != "function") return bad_field(join_path(path, "type"), "must be \"function\"");
    const Json* fn = find(t, "function");
    std::string fpath = join_path(path, "function");
    if (!fn || !fn->is_object()) return bad_field(fpath, "must be an object");
    Tool tool;
    FULCRUM_TRY(tool.name, detail::req_string(*fn, "name", fpath));
    FULCRUM_TRY(auto desc, detail::opt_string(*fn, "description", fpath));
    tool.description = desc.value_or("");
    const Json* params = find(*fn, "parameters");
    if (params && !params->is_object())
      return bad_field(join_path(fpath, "parameters"), "must be an object");
    tool.parameters = params ? detail::dump(*params) : "{}";
    FULCRUM_TRY(auto strict, detail::opt_bool(*fn, "strict", fpath));
    tool.strict = strict.value_or(false);
    req->tools.push_back(std::move(tool));
  }
  return ok_status();
}

Status parse_tool_choice(const Json& body, ChatRequest* req) {
  FULCRUM_TRY(auto parallel, detail::opt_bool(body, "parallel_tool_calls", ""));
  const Json* tc = find(body, "tool_choice");
  if (!tc && !parallel) return ok_status();
  ToolChoice choice;
  choice.parallel_tool_calls = parallel;
  if (tc && tc->is_string()) {
    const auto& s = tc->get_ref<const std::string&>();
    if (s == "auto")
      choice.mode = ToolChoice::Mode::kAuto;
    else if (s == "none")
      choice.mode = ToolChoice::Mode::kNone;
    else if (s == "required")
      choice.mode = ToolChoice::Mode::kRequired;
    else
      return bad_field("tool_choice", "must be \"auto\", \"none\", \"required\" or an object");
  } else if (tc && tc->is_object()) {
    const Json* fn = find(*tc, "function");
    if (!fn || !fn->is_object()) return bad_field("tool_choice.function", "must be an object");
    choice.mode = ToolChoice::Mode::kTool;
    FULCRUM_TRY(choice.name, detail::req_string(*fn, "name", "tool_choice.function"));
  } else if (tc) {
    return bad_field("tool_choice", "must be a string or an object");
  }
  req->tool_choice = choice;
  return ok_status();
}

Status parse_response_format(const Json& body, ChatRequest* req) {
  const Json* rf = find(body, "response_format");
  if (!rf) return ok_status();
  if (!rf->is_object()) return bad_field("response_format", "must be an object");
  FULCRUM_TRY(auto type, detail::req_string(*rf, "type", "response_format"));
  ResponseFormat f;
  if (type == "text") {
    f.type = ResponseFormat::Type::kText;
  } else if (type == "json_object") {
    f.type = ResponseFormat::Type::kJsonObject;
  } else if (type == "json_schema") {
    f.type = ResponseFormat::Type::kJsonSchema;
    const Json* js = find(*rf, "json_schema");
    if (!js || !js->is_object())
      return bad_field("response_format.json_schema", "must be an object");
    FULCRUM_TRY(f.name, detail::req_string(*js, "name", "response_format.json_schema"));
    const Json* schema = find(*js, "schema");
    f.schema = schema ? detail::dump(*schema) : "{}";
    FULCRUM_TRY(auto strict, detail::opt_bool(*js, "strict", "response_format.json_schema"));
    f.strict = strict.value_or(false);
  } else {
    return bad_field("response_format.type", fmt::format("unknown type '{}'", type));
  }
  req->response_format = std::move(f);
  return ok_status();
}

Status parse_stop(const Json& body, ChatRequest* req) {
  const Json* stop = find(body, "stop");
  if (!stop) return ok_status();
  if (stop->is_string()) {
    req->stop.push_back(stop->get<std::string>());
    return ok_status();
  }
  if (!stop->is_array() || stop->size() > 4)
    return bad_field("stop", "must be a string or an array of at most 4 strings");
  for (size_t i = 0; i < stop->size(); ++i) {
    if (!(*stop)[i].is_string()) return bad_field(index_path("stop", i), "must be a string");
    req->stop.push_back((*stop)[i].get<std::string>());
  }
  return ok_status();
}

Status parse_sampling(const Json& body, ChatRequest* req) {
  FULCRUM_TRY(auto max_completion, detail::opt_int(body, "max_completion_tokens", ""));
  FULCRUM_TRY(auto max_tokens, detail::opt_int(body, "max_tokens", ""));
  req->max_tokens = max_completion ? max_completion : max_tokens;
  if (req->max_tokens && *req->max_tokens < 1)
    return bad_field(max_completion ? "max_completion_tokens" : "max_tokens", "must be at least 1");
  FULCRUM_TRY(req->temperature, detail::opt_range(body, "temperature", 0, 2, ""));
  FULCRUM_TRY(req->top_p, detail::opt_range(body, "top_p", 0, 1, ""));
  FULCRUM_TRY(req->presence_penalty, detail::opt_range(body, "presence_penalty", -2, 2, ""));
  FULCRUM_TRY(req->frequency_penalty, detail::opt_range(body, "frequency_penalty", -2, 2, ""));
  FULCRUM_TRY(req->seed, detail::opt_int(body, "seed", ""));
  FULCRUM_TRY(auto n, detail::opt_int(body, "n", ""));
  if (n && (*n < 1 || *n > 128)) return bad_field("n", "must be between 1 and 128");
  req->n = static_cast<int>(n.value_or(1));
  FULCRUM_TRY_STATUS(parse_stop(body, req));
  FULCRUM_TRY(auto stream, detail::opt_bool(body, "stream", ""));
  req->stream = stream.value_or(false);
  if (const Json* so = find(body, "stream_options")) {
    if (!so->is_object()) return bad_field("stream_options", "must be an object");
    FULCRUM_TRY(auto iu, detail::opt_bool(*so, "include_usage", "stream_options"));
    req->include_usage = iu.value_or(false);
  }
  return ok_status();
}

Status parse_user_metadata(const Json& body, ChatRequest* req) {
  FULCRUM_TRY(auto user, detail::opt_string(body, "user", ""));
  req->user = user.value_or("");
  const Json* md = find(body, "metadata");
  if (!md) return ok_status();
  if (!md->is_object()) return bad_field("metadata", "must be an object of strings");
  for (auto it = md->begin(); it != md->end(); ++it) {
    if (!it.value().is_string()) return bad_field("metadata." + it.key(), "must be a string");
    req->metadata[it.key()] = it.value().get<std::string>();
  }
  return ok_status();
}

Status parse_messages(const Json& body, ChatRequest* req) {
  const Json* msgs = find(body, "messages");
  if (!msgs) return bad_field("messages", "is required");
  if (!msgs->is_array() || msgs->empty()) return bad_field("messages", "must be a non-empty array");
  bool leading = true;
  for (size_t i = 0; i < msgs->size(); ++i) {
    FULCRUM_TRY(auto m, parse_message((*msgs)[i], index_path("messages", i)));
    if (leading && (m.role == Role::kSystem || m.role == Role::kDeveloper)) {
      for (auto& p : m.content) req->system.push_back(std::move(p));
      continue;
    }
    leading = false;
    req->messages.push_back(std::move(m));
  }
  return ok_status();
}

Json usage_json(const Usage& u) {
  Json j = {{"prompt_tokens", u.prompt_tokens},
            {"completion_tokens", u.completion_tokens},
            {"total_tokens", u.total()}};
  if (u.cached_tokens > 0) j["prompt_tokens_details"] = {{"cached_tokens", u.cached_tokens}};
  return j;
}

Json tool_calls_json(const std::vector<ToolCall>& calls) {
  Json arr = Json::array();
  for (const auto& c : calls)
    arr.push_back({{"id", c.id},
                   {"type", "function"},
                   {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
  return arr;
}

Json finish_json(FinishReason r) {
  if (r == FinishReason::kNone) return nullptr;
  return std::string(openai_finish_reason(r));
}

Json content_json(const std::vector<ContentPart>& parts) {
  bool only_text = true;
  for (const auto& p : parts) only_text = only_text && p.kind == ContentPart::Kind::kText;
  if (only_text && parts.size() == 1) return parts[0].text;
  Json arr = Json::array();
  for (const auto& p : parts) {
    switch (p.kind) {
      case ContentPart::Kind::kText:
        arr.push_back({{"type", "text"}, {"text", p.text}});
        break;
      case ContentPart::Kind::kImage: {
        std::string url =
            p.url.empty() ? fmt::format("data:{};base64,{}", p.media_type, p.data) : p.url;
        Json img = {{"url", url}};
        if (!p.detail.empty()) img["detail"] = p.detail;
        arr.push_back({{"type", "image_url"}, {"image_url", img}});
        break;
      }
      case ContentPart::Kind::kAudio:
        arr.push_back({{"type", "input_audio"},
                       {"input_audio", {{"data", p.data}, {"format", p.media_type}}}});
        break;
      case ContentPart::Kind::kFile: {
        Json f = Json::object();
        if (!p.url.empty()) f["file_id"] = p.url;
        if (!p.data.empty()) f["file_data"] = p.data;
        arr.push_back({{"type", "file"}, {"file", f}});
        break;
      }
    }
  }
  return arr;
}

Json message_json(const Message& m) {
  Json j = {{"role", role_name(m.role)}};
  if (m.role == Role::kAssistant && m.content.empty()) {
    j["content"] = nullptr;
  } else {
    j["content"] = content_json(m.content);
  }
  if (!m.name.empty()) j["name"] = m.name;
  if (!m.tool_calls.empty()) j["tool_calls"] = tool_calls_json(m.tool_calls);
  if (m.role == Role::kTool) j["tool_call_id"] = m.tool_call_id;
  return j;
}

}  // namespace

// --- inbound ---

Result<ChatRequest> parse_openai_chat_request(std::string_view body) {
  FULCRUM_TRY(Json j, detail::parse_object(body));
  ChatRequest req;
  req.dialect = Dialect::kOpenAi;
  FULCRUM_TRY(req.model, detail::req_string(j, "model", ""));
  if (req.model.empty()) return bad_field("model", "must not be empty");
  FULCRUM_TRY_STATUS(parse_messages(j, &req));
  FULCRUM_TRY_STATUS(parse_tools(j, &req));
  FULCRUM_TRY_STATUS(parse_tool_choice(j, &req));
  FULCRUM_TRY_STATUS(parse_response_format(j, &req));
  FULCRUM_TRY_STATUS(parse_sampling(j, &req));
  FULCRUM_TRY_STATUS(parse_user_metadata(j, &req));
  return req;
}

Result<ChatRequest> parse_openai_completion_request(std::string_view body) {
  FULCRUM_TRY(Json j, detail::parse_object(body));
  ChatRequest req;
  req.legacy_completion = true;
  FULCRUM_TRY(req.model, detail::req_string(j, "model", ""));
  if (req.model.empty()) return bad_field("model", "must not be empty");
  const Json* prompt = find(j, "prompt");
  std::string text;
  if (!prompt) return bad_field("prompt", "is required");
  if (prompt->is_string()) {
    text = prompt->get<std::string>();
  } else if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) {
    text = (*prompt)[0].get<std::string>();
  } else {
    return bad_field("prompt", "must be a string (batched and token-id prompts are not supported)");
  }
  req.messages.push_back(
      Message{.role = Role::kUser, .content = {ContentPart{.text = std::move(text)}}});
  FULCRUM_TRY_STATUS(parse_sampling(j, &req));
  if (req.n != 1) return bad_field("n", "only n = 1 is supported on /v1/completions");
  FULCRUM_TRY_STATUS(parse_user_metadata(j, &req));
  return req;
}

Result<EmbeddingRequest> parse_openai_embedding_request(std::string_view body) {
  FULCRUM_TRY(Json j, detail::parse_object(body));
  EmbeddingRequest req;
  FULCRUM_TRY(req.model, detail::req_string(j, "model", ""));
  const Json* input = find(j, "input");
  if (!input) return bad_field("input", "is required");
  if (input->is_string()) {
    req.input.push_back(input->get<std::string>());
  } else if (input->is_array() && !input->empty()) {
    for (size_t i = 0; i < input->size(); ++i) {
      if (!(*input)[i].is_string())
        return bad_field(index_path("input", i),
                         "must be a string (token-id input is not supported)");
      req.input.push_back((*input)[i].get<std::string>());
    }
  } else {
    return bad_field("input", "must be a string or a non-empty array of strings");
  }
  FULCRUM_TRY(auto fmt_v, detail::opt_string(j, "encoding_format", ""));
  req.encoding_format = fmt_v.value_or("float");
  if (req.encoding_format != "float" && req.encoding_format != "base64")
    return bad_field("encoding_format", "must be \"float\" or \"base64\"");
  FULCRUM_TRY(req.dimensions, detail::opt_int(j, "dimensions", ""));
  if (req.dimensions && *req.dimensions < 1) return bad_field("dimensions", "must be at least 1");
  FULCRUM_TRY(auto user, detail::opt_string(j, "user", ""));
  req.user = user.value_or("");
  return req;
}

std::string openai_chat_response_json(const ChatResponse& r) {
  Json choices = Json::array();
  for (const auto& c : r.choices) {
    Json msg = {{"role", "assistant"}};
    std::string text = c.message.text();
    msg["content"] = (text.empty() && !c.message.tool_calls.empty()) ? Json(nullptr) : Json(text);
    msg["refusal"] = c.message.refusal.empty() ? Json(nullptr) : Json(c.message.refusal);
    if (!c.message.tool_calls.empty()) msg["tool_calls"] = tool_calls_json(c.message.tool_calls);
    choices.push_back({{"index", c.index},
                       {"message", msg},
                       {"logprobs", nullptr},
                       {"finish_reason", finish_json(c.finish_reason)}});
  }
  Json j = {{"id", r.id},
            {"object", "chat.completion"},
            {"created", r.created},
            {"model", r.model},
            {"choices", choices}};
  if (r.usage) j["usage"] = usage_json(*r.usage);
  return detail::dump(j);
}

std::string openai_completion_response_json(const ChatResponse& r) {
  Json choices = Json::array();
  for (const auto& c : r.choices)
    choices.push_back({{"index", c.index},
                       {"text", c.message.text()},
                       {"logprobs", nullptr},
                       {"finish_reason", finish_json(c.finish_reason)}});
  Json j = {{"id", r.id},
            {"object", "text_completion"},
            {"created", r.created},
            {"model", r.model},
            {"choices", choices}};
  if (r.usage) j["usage"] = usage_json(*r.usage);
  return detail::dump(j);
}

namespace {
bool usage_only(const ChatChunk& c) {
  return c.usage && !c.role && c.text.empty() && c.tool_calls.empty() && !c.finish_reason;
}
}  // namespace

std::string openai_chunk_json(const ChatChunk& c) {
  Json choices = Json::array();
  if (!usage_only(c)) {
    Json delta = Json::object();
    if (c.role) delta["role"] = role_name(*c.role);
    if (!c.text.empty() || (c.role && c.tool_calls.empty())) delta["content"] = c.text;
    if (!c.tool_calls.empty()) {
      Json arr = Json::array();
      for (const auto& t : c.tool_calls) {
        Json d = {{"index", t.index}};
        if (!t.id.empty()) d["id"] = t.id, d["type"] = "function";
        Json fn = {{"arguments", t.arguments}};
        if (!t.name.empty()) fn["name"] = t.name;
        d["function"] = fn;
        arr.push_back(std::move(d));
      }
      delta["tool_calls"] = arr;
    }
    choices.push_back(
        {{"index", c.index},
         {"delta", delta},
         {"logprobs", nullptr},
         {"finish_reason", c.finish_reason ? finish_json(*c.finish_reason) : Json(nullptr)}});
  }
  Json j = {{"id", c.id},
            {"object", "chat.completion.chunk"},
            {"created", c.created},
            {"model", c.model},
            {"choices", choices}};
  if (c.usage) j["usage"] = usage_json(*c.usage);
  return detail::dump(j);
}

std::string openai_completion_chunk_json(const ChatChunk& c) {
  Json choices = Json::array();
  if (!usage_only(c))
    choices.push_back(
        {{"index", c.index},
         {"text", c.text},
         {"logprobs", nullptr},
         {"finish_reason", c.finish_reason ? finish_json(*c.finish_reason) : Json(nullptr)}});
  Json j = {{"id", c.id},
            {"object", "text_completion"},
            {"created", c.created},
            {"model", c.model},
            {"choices", choices}};
  if (c.usage) j["usage"] = usage_json(*c.usage);
  return detail::dump(j);
}

namespace {

// The vector as little-endian float32 bytes in base64 (encoding_format "base64").
std::string base64_floats(const std::vector<float>& v) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  bytes.reserve(v.size() * 4);
  for (float f : v) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<char>((u >> (8 * k)) & 0xff));
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
Json float_array(const std::vector<float>& v) {
  Json a = Json::array();
  for (float f : v) a.push_back(std::strtod(fmt::format("{}", f).c_str(), nullptr));
  return a;
}

}  // namespace

std::string openai_embedding_response_json(const EmbeddingResponse& r,
                                           std::string_view encoding_format) {
  bool b64 = encoding_format == "base64";
  Json data = Json::array();
  for (size_t i = 0; i < r.data.size(); ++i)
    data.push_back({{"object", "embedding"},
                    {"index", i},
                    {"embedding", b64 ? Json(base64_floats(r.data[i])) : float_array(r.data[i])}});
  Json j = {{"object", "list"},
            {"data", data},
            {"model", r.model},
            {"usage",
             {{"prompt_tokens", r.usage.prompt_tokens}, {"total_tokens", r.usage.prompt_tokens}}}};
  return detail::dump(j);
}

namespace {
std::string_view openai_error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
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

std::string openai_error_json(const Error& e) {
  Json err = {{"message", e.message()},
              {"type", openai_error_type(e.http_status())},
              {"param", e.field().empty() ? Json(nullptr) : Json(e.field())},
              {"code", error_code_name(e.code())}};
  return detail::dump(Json{{"error", err}});
}

std::string openai_models_json(const std::vector<ModelEntry>& models) {
  Json data = Json::array();
  for (const auto& m : models)
    data.push_back(
        {{"id", m.id}, {"object", "model"}, {"created", m.created}, {"owned_by", m.owned_by}});
  return detail::dump(Json{{"object", "list"}, {"data", data}});
}

// --- outbound ---

std::string openai_chat_request_json(const ChatRequest& r, std::string_view model) {
  Json msgs = Json::array();
  if (!r.system.empty()) msgs.push_back({{"role", "system"}, {"content", content_json(r.system)}});
  for (const auto& m : r.messages) msgs.push_back(message_json(m));
  Json j = {{"model", model}, {"messages", msgs}};
  if (!r.tools.empty()) {
    Json tools = Json::array();
    for (const auto& t : r.tools) {
      Json fn = {{"name", t.name}, {"parameters", detail::arguments_object(t.parameters)}};
      if (!t.description.empty()) fn["description"] = t.description;
      if (t.strict) fn["strict"] = true;
      tools.push_back({{"type", "function"}, {"function", fn}});
    }
    j["tools"] = tools;
  }
  if (r.tool_choice) {
    const auto& tc = *r.tool_choice;
    switch (tc.mode) {
      case ToolChoice::Mode::kAuto:
        j["tool_choice"] = "auto";
        break;
      case ToolChoice::Mode::kNone:
        j["tool_choice"] = "none";
        break;
      case ToolChoice::Mode::kRequired:
        j["tool_choice"] = "required";
        break;
      case ToolChoice::Mode::kTool:
        j["tool_choice"] = {{"type", "function"}, {"function", {{"name", tc.name}}}};
        break;
    }
    if (tc.parallel_tool_calls && !r.tools.empty())
      j["parallel_tool_calls"] = *tc.parallel_tool_calls;
    if (r.tools.empty()) j.erase("tool_choice");
  }
  if (r.response_format) {
    const auto& f = *r.response_format;
    if (f.type == ResponseFormat::Type::kText) j["response_format"] = {{"type", "text"}};
    if (f.type == ResponseFormat::Type::kJsonObject)
      j["response_format"] = {{"type", "json_object"}};
    if (f.type == ResponseFormat::Type::kJsonSchema) {
      Json js = {{"name", f.name}, {"schema", detail::arguments_object(f.schema)}};
      if (f.strict) js["strict"] = true;
      j["response_format"] = {{"type", "json_schema"}, {"json_schema", js}};
    }
  }
  if (r.max_tokens) j["max_tokens"] = *r.max_tokens;
  if (r.temperature) j["temperature"] = *r.temperature;
  if (r.top_p) j["top_p"] = *r.top_p;
  if (r.presence_penalty) j["presence_penalty"] = *r.presence_penalty;
  if (r.frequency_penalty) j["frequency_penalty"] = *r.frequency_penalty;
  if (r.seed) j["seed"] = *r.seed;
  if (r.n != 1) j["n"] = r.n;
  if (!r.stop.empty()) j["stop"] = r.stop;
  if (r.stream) {
    j["stream"] = true;
    j["stream_options"] = {{"include_usage", true}};  // Fulcrum always wants usage for costs
  }
  if (!r.user.empty()) j["user"] = r.user;
  return detail::dump(j);
}

std::string openai_embedding_request_json(const EmbeddingRequest& r, std::string_view model) {
  Json j = {{"model", model}, {"input", r.input}, {"encoding_format", "float"}};
  if (r.dimensions) j["dimensions"] = *r.dimensions;
  if (!r.user.empty()) j["user"] = r.user;
  return detail::dump(j);
}

namespace {

FinishReason parse_finish(const Json& v) {
  if (!v.is_string()) return FinishReason::kNone;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "stop") return FinishReason::kStop;
  if (s == "length") return FinishReason::kLength;
  if (s == "tool_calls" || s == "function_call") return FinishReason::kToolCalls;
  if (s == "content_filter") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

Result<std::optional<Usage>> parse_usage(const Json& j) {
  const Json* u = find(j, "usage");
  if (!u) return std::optional<Usage>();
  if (!u->is_object()) return bad_field("usage", "must be an object");
  Usage usage;
  FULCRUM_TRY(auto p, detail::opt_int(*u, "prompt_tokens", "usage"));
  FULCRUM_TRY(auto c, detail::opt_int(*u, "completion_tokens", "usage"));
  usage.prompt_tokens = p.value_or(0);
  usage.completion_tokens = c.value_or(0);
  if (const Json* d = find(*u, "prompt_tokens_details"); d && d->is_object()) {
    FULCRUM_TRY(auto cached, detail::opt_int(*d, "cached_tokens", "usage.prompt_tokens_details"));
    usage.cached_tokens = cached.value_or(0);
  }
  return std::optional<Usage>(usage);
}

Error upstream_error(Error e) {
  return Error(ErrorCode::kUpstream, "upstream reply: " + e.message()).with_field(e.field());
}

}  // namespace

Result<ChatResponse> parse_openai_chat_response(std::string_view body) {
  auto parsed = detail::parse_object(body);
  if (!parsed.ok()) return upstream_error(parsed.error());
  const Json& j = *parsed;
  ChatResponse r;
  auto id = detail::opt_string(j, "id", "");
  auto model = detail::opt_string(j, "model", "");
  auto created = detail::opt_int(j, "created", "");
  if (!id.ok() || !model.ok() || !created.ok())
    return Error(ErrorCode::kUpstream, "upstream reply: bad id/model/created");
  r.id = id->value_or(detail::make_id("chatcmpl-"));
  r.model = model->value_or("");
  r.created = created->value_or(detail::unix_now());
  const Json* choices = find(j, "choices");
  if (!choices || !choices->is_array())
    return Error(ErrorCode::kUpstream, "upstream reply has no choices array");
  for (size_t i = 0; i < choices->size(); ++i) {
    const Json& c = (*choices)[i];
    std::string path = index_path("choices", i);
    if (!c.is_object()) return upstream_error(bad_field(path, "must be an object"));
    Choice choice;
    choice.index = static_cast<int>(i);
    if (const Json* idx = find(c, "index"); idx && idx->is_number_integer())
      choice.index = idx->get<int>();
    const Json* msg = find(c, "message");
    if (!msg || !msg->is_object())
      return upstream_error(bad_field(join_path(path, "message"), "must be an object"));
    choice.message.role = Role::kAssistant;
    auto content = parse_content(*msg, join_path(path, "message.content"), false);
    if (!content.ok()) return upstream_error(content.error());
    choice.message.content = std::move(*content);
    auto calls = parse_tool_calls(*msg, join_path(path, "message"));
    if (!calls.ok()) return upstream_error(calls.error());
    choice.message.tool_calls = std::move(*calls);
    if (const Json* ref = find(*msg, "refusal"); ref && ref->is_string())
      choice.message.refusal = ref->get<std::string>();
    if (const Json* fr = find(c, "finish_reason")) choice.finish_reason = parse_finish(*fr);
    r.choices.push_back(std::move(choice));
  }
  auto usage = parse_usage(j);
  if (!usage.ok()) return upstream_error(usage.error());
  r.usage = *usage;
  return r;
}

Result<std::vector<ChatChunk>> parse_openai_chunk(std::string_view data) {
  auto parsed = detail::parse_object(data);
  if (!parsed.ok()) return upstream_error(parsed.error());
  const Json& j = *parsed;
  if (const Json* err = find(j, "error")) {
    std::string msg = err->is_object() && err->contains("message") && (*err)["message"].is_string()
                          ? (*err)["message"].get<std::string>()
                          : "error event in stream";
    return Error(ErrorCode::kUpstream, "upstream stream error: " + msg);
  }
  ChatChunk base;
  if (const Json* v = find(j, "id"); v && v->is_string()) base.id = v->get<std::string>();
  if (const Json* v = find(j, "model"); v && v->is_string()) base.model = v->get<std::string>();
  if (const Json* v = find(j, "created"); v && v->is_number_integer())
    base.created = v->get<int64_t>();
  std::vector<ChatChunk> out;
  const Json* choices = find(j, "choices");
  if (choices && !choices->is_array())
    return Error(ErrorCode::kUpstream, "upstream chunk: choices must be an array");
  if (choices) {
    for (const Json& c : *choices) {
      if (!c.is_object())
        return Error(ErrorCode::kUpstream, "upstream chunk: choice must be an object");
      ChatChunk chunk = base;
      if (const Json* idx = find(c, "index"); idx && idx->is_number_integer())
        chunk.index = idx->get<int>();
      if (const Json* d = find(c, "delta"); d && d->is_object()) {
        if (const Json* role = find(*d, "role"); role && role->is_string())
          chunk.role = Role::kAssistant;
        if (const Json* t = find(*d, "content"); t && t->is_string())
          chunk.text = t->get<std::string>();
        if (const Json* tcs = find(*d, "tool_calls"); tcs && tcs->is_array()) {
          for (const Json& tc : *tcs) {
            if (!tc.is_object()) continue;
            ToolCallDelta td;
            if (const Json* v = find(tc, "index"); v && v->is_number_integer())
              td.index = v->get<int>();
            if (const Json* v = find(tc, "id"); v && v->is_string()) td.id = v->get<std::string>();
            if (const Json* fn = find(tc, "function"); fn && fn->is_object()) {
              if (const Json* v = find(*fn, "name"); v && v->is_string())
                td.name = v->get<std::string>();
              if (const Json* v = find(*fn, "arguments"); v && v->is_string())
                td.arguments = v->get<std::string>();
            }
            chunk.tool_calls.push_back(std::move(td));
          }
        }
      }
      if (const Json* fr = find(c, "finish_reason")) chunk.finish_reason = parse_finish(*fr);
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
  auto parsed = detail::parse_object(body);
  if (!parsed.ok()) return upstream_error(parsed.error());
  const Json& j = *parsed;
  EmbeddingResponse r;
  if (const Json* v = find(j, "model"); v && v->is_string()) r.model = v->get<std::string>();
  const Json* data = find(j, "data");
  if (!data || !data->is_array())
    return Error(ErrorCode::kUpstream, "upstream reply has no data array");
  r.data.resize(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    const Json& d = (*data)[i];
    size_t idx = i;
    if (const Json* v = find(d, "index"); v && v->is_number_unsigned()) idx = v->get<size_t>();
    const Json* e = find(d, "embedding");
    if (idx >= r.data.size() || !e || !e->is_array())
      return Error(ErrorCode::kUpstream, "upstream reply: bad embedding entry");
    auto& vec = r.data[idx];
    vec.reserve(e->size());
    for (const Json& x : *e) {
      if (!x.is_number())
        return Error(ErrorCode::kUpstream, "upstream reply: embedding values must be numbers");
      vec.push_back(x.get<float>());
    }
  }
  if (const Json* u = find(j, "usage"); u && u->is_object())
    if (const Json* p = find(*u, "prompt_tokens"); p && p->is_number_integer())
      r.usage.prompt_tokens = p->get<int64_t>();
  return r;
}

std::string openai_error_message(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    const Json* e = find(j, "error");
    if (e && e->is_object()) {
      if (const Json* m = find(*e, "message"); m && m->is_string()) return m->get<std::string>();
    }
    if (e && e->is_string()) return e->get<std::string>();
    if (const Json* m = find(j, "message"); m && m->is_string()) return m->get<std::string>();
  }
  std::string raw(body.substr(0, 200));
  return raw;
}

}  // namespace fulcrum::api
