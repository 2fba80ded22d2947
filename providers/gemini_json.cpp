#include "providers/gemini_json.h"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

namespace fulcrum::providers {
namespace {

using nlohmann::json;

json parse_or_null(std::string_view text) {
  return json::parse(text, nullptr, false);
}

// "data:image/png;base64,AAAA" -> mime + payload; false when not a base64 data URL.
bool split_data_url(std::string_view url, std::string* mime, std::string* data) {
  if (!url.starts_with("data:")) return false;
  auto comma = url.find(',');
  auto semi = url.find(";base64");
  if (comma == std::string_view::npos || semi == std::string_view::npos || semi > comma) {
    return false;
  }
  *mime = std::string(url.substr(5, semi - 5));
  *data = std::string(url.substr(comma + 1));
  return true;
}

json part_json(const api::ContentPart& p) {
  using Kind = api::ContentPart::Kind;
  if (p.kind == Kind::kText) return json{{"text", p.text}};
  std::string mime = p.media_type, data = p.data;
  if (data.empty() && split_data_url(p.url, &mime, &data)) {
    return json{{"inlineData", {{"mimeType", mime}, {"data", data}}}};
  }
  if (!data.empty()) {
    if (mime.empty()) mime = "application/octet-stream";
    if (p.kind == Kind::kAudio && mime.find('/') == std::string::npos) mime = "audio/" + mime;
    return json{{"inlineData", {{"mimeType", mime}, {"data", data}}}};
  }
  json fd = {{"fileUri", p.url}};
  if (!mime.empty()) fd["mimeType"] = mime;
  return json{{"fileData", fd}};
}

json object_or_wrap(const std::string& text, const char* wrap_key) {
  json j = parse_or_null(text);
  if (j.is_object()) return j;
  return json{{wrap_key, j.is_discarded() ? json(text) : j}};
}

json function_declarations(const std::vector<api::Tool>& tools) {
  json decls = json::array();
  for (const auto& t : tools) {
    json d = {{"name", t.name}};
    if (!t.description.empty()) d["description"] = t.description;
    json params = parse_or_null(t.parameters);
    if (params.is_object() && !params.empty()) d["parametersJsonSchema"] = params;
    decls.push_back(std::move(d));
  }
  return json::array({json{{"functionDeclarations", decls}}});
}

json tool_config(const api::ToolChoice& choice) {
  using Mode = api::ToolChoice::Mode;
  json fc;
  switch (choice.mode) {
    case Mode::kAuto:
      fc["mode"] = "AUTO";
      break;
    case Mode::kNone:
      fc["mode"] = "NONE";
      break;
    case Mode::kRequired:
      fc["mode"] = "ANY";
      break;
    case Mode::kTool:
      fc["mode"] = "ANY";
      fc["allowedFunctionNames"] = json::array({choice.name});
      break;
  }
  return json{{"functionCallingConfig", fc}};
}

json generation_config(const api::ChatRequest& r) {
  json g = json::object();
  if (r.max_tokens) g["maxOutputTokens"] = *r.max_tokens;
  if (r.temperature) g["temperature"] = *r.temperature;
  if (r.top_p) g["topP"] = *r.top_p;
  if (r.top_k) g["topK"] = *r.top_k;
  if (r.presence_penalty) g["presencePenalty"] = *r.presence_penalty;
  if (r.frequency_penalty) g["frequencyPenalty"] = *r.frequency_penalty;
  if (r.seed) g["seed"] = *r.seed;
  if (!r.stop.empty()) g["stopSequences"] = r.stop;
  if (r.n > 1) g["candidateCount"] = r.n;
  if (r.response_format) {
    using Type = api::ResponseFormat::Type;
    if (r.response_format->type != Type::kText) g["responseMimeType"] = "application/json";
    if (r.response_format->type == Type::kJsonSchema) {
      json schema = parse_or_null(r.response_format->schema);
      if (schema.is_object()) g["responseJsonSchema"] = schema;
    }
  }
  return g;
}

// Appends a turn, merging into the previous one when the role repeats (Gemini alternates).
void push_turn(json& contents, const char* role, json parts) {
  if (parts.empty()) return;
  if (!contents.empty() && contents.back()["role"] == role) {
    for (auto& p : parts) contents.back()["parts"].push_back(std::move(p));
    return;
  }
  contents.push_back(json{{"role", role}, {"parts", std::move(parts)}});
}

}  // namespace

std::string gemini_request_json(const api::ChatRequest& r) {
  json body = json::object();
  json system_parts = json::array();
  for (const auto& p : r.system) system_parts.push_back(part_json(p));
  std::map<std::string, std::string> call_names;  // tool_call_id -> function name
  json contents = json::array();
  for (const auto& m : r.messages) {
    json parts = json::array();
    switch (m.role) {
      case api::Role::kSystem:
      case api::Role::kDeveloper:
        for (const auto& p : m.content) system_parts.push_back(part_json(p));
        break;
      case api::Role::kUser:
        for (const auto& p : m.content) parts.push_back(part_json(p));
        push_turn(contents, "user", std::move(parts));
        break;
      case api::Role::kAssistant:
        for (const auto& p : m.content) parts.push_back(part_json(p));
        for (const auto& c : m.tool_calls) {
          call_names[c.id] = c.name;
          parts.push_back(
              json{{"functionCall",
                    {{"name", c.name}, {"args", object_or_wrap(c.arguments, "value")}}}});
        }
        push_turn(contents, "model", std::move(parts));
        break;
      case api::Role::kTool: {
        auto it = call_names.find(m.tool_call_id);
        std::string name = it != call_names.end() ? it->second : m.tool_call_id;
        json response = object_or_wrap(m.text(), "content");
        if (m.is_error && !response.contains("error")) response["error"] = true;
        parts.push_back(json{{"functionResponse", {{"name", name}, {"response", response}}}});
        push_turn(contents, "user", std::move(parts));
        break;
      }
    }
  }
  body["contents"] = std::move(contents);
  if (!system_parts.empty()) body["systemInstruction"] = json{{"parts", system_parts}};
  if (!r.tools.empty()) body["tools"] = function_declarations(r.tools);
  if (r.tool_choice && !r.tools.empty()) body["toolConfig"] = tool_config(*r.tool_choice);
  json g = generation_config(r);
  if (!g.empty()) body["generationConfig"] = std::move(g);
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

api::FinishReason finish_from(const std::string& r, bool has_calls) {
  if (r == "STOP") return has_calls ? api::FinishReason::kToolCalls : api::FinishReason::kStop;
  if (r == "MAX_TOKENS") return api::FinishReason::kLength;
  if (r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST" || r == "PROHIBITED_CONTENT" ||
      r == "SPII" || r == "IMAGE_SAFETY") {
    return api::FinishReason::kContentFilter;
  }
  if (r == "MALFORMED_FUNCTION_CALL") return api::FinishReason::kError;
  return api::FinishReason::kStop;
}

Result<api::Usage> usage_from(const json& u) {
  api::Usage usage;
  auto num = [&](const char* k) -> int64_t {
    return u.contains(k) && u[k].is_number_integer() ? u[k].get<int64_t>() : 0;
  };
  usage.prompt_tokens = num("promptTokenCount");
  usage.completion_tokens = num("candidatesTokenCount") + num("thoughtsTokenCount");
  usage.cached_tokens = num("cachedContentTokenCount");
  return usage;
}

Error bad(std::string_view what) {
  return Error(ErrorCode::kUpstream, fmt::format("malformed Gemini response: {}", what));
}

// Text and function calls of one candidate's content.
Status read_parts(const json& cand, std::string* text, std::vector<api::ToolCall>* calls,
                  int* next_tool) {
  if (!cand.contains("content")) return ok_status();  // e.g. blocked for safety
  const json& content = cand["content"];
  if (!content.is_object()) return bad("candidate content is not an object");
  if (!content.contains("parts")) return ok_status();
  const json& parts = content["parts"];
  if (!parts.is_array()) return bad("content.parts is not an array");
  for (const auto& p : parts) {
    if (!p.is_object()) return bad("a part is not an object");
    if (p.contains("thought") && p["thought"] == true) continue;
    if (p.contains("text")) {
      if (!p["text"].is_string()) return bad("part.text is not a string");
      text->append(p["text"].get<std::string>());
    } else if (p.contains("functionCall")) {
      const json& fc = p["functionCall"];
      if (!fc.is_object() || !fc.contains("name") || !fc["name"].is_string()) {
        return bad("functionCall without a name");
      }
      api::ToolCall c;
      c.id = fc.contains("id") && fc["id"].is_string() ? fc["id"].get<std::string>()
                                                       : fmt::format("call_{}", *next_tool);
      ++*next_tool;
      c.name = fc["name"];
      c.arguments = fc.contains("args") ? fc["args"].dump() : "{}";
      calls->push_back(std::move(c));
    }
  }
  return ok_status();
}

}  // namespace

Result<api::ChatResponse> parse_gemini_response(std::string_view body, std::string_view model) {
  json j = parse_or_null(body);
  if (!j.is_object()) return bad("body is not a JSON object");
  if (j.contains("error")) return Error(ErrorCode::kUpstream, gemini_error_message(body));
  api::ChatResponse out;
  out.id = j.contains("responseId") && j["responseId"].is_string()
               ? j["responseId"].get<std::string>()
               : "gemini-response";
  out.model = j.contains("modelVersion") && j["modelVersion"].is_string()
                  ? j["modelVersion"].get<std::string>()
                  : std::string(model);
  out.created = static_cast<int64_t>(std::time(nullptr));
  if (!j.contains("candidates") || !j["candidates"].is_array() || j["candidates"].empty()) {
    return bad("no candidates (prompt blocked?)");
  }
  int next_tool = 0;
  for (const auto& cand : j["candidates"]) {
    if (!cand.is_object()) return bad("candidate is not an object");
    api::Choice ch;
    ch.index = cand.contains("index") && cand["index"].is_number_integer()
                   ? cand["index"].get<int>()
                   : static_cast<int>(out.choices.size());
    ch.message.role = api::Role::kAssistant;
    std::string text;
    FULCRUM_TRY_STATUS(read_parts(cand, &text, &ch.message.tool_calls, &next_tool));
    if (!text.empty()) ch.message.content.push_back(api::ContentPart{.text = text});
    std::string reason = cand.contains("finishReason") && cand["finishReason"].is_string()
                             ? cand["finishReason"].get<std::string>()
                             : "STOP";
    ch.finish_reason = finish_from(reason, !ch.message.tool_calls.empty());
    out.choices.push_back(std::move(ch));
  }
  if (j.contains("usageMetadata") && j["usageMetadata"].is_object()) {
    FULCRUM_TRY(auto u, usage_from(j["usageMetadata"]));
    out.usage = u;
  }
  return out;
}

Result<std::vector<api::ChatChunk>> GeminiStreamDecoder::on_data(std::string_view data) {
  json j = parse_or_null(data);
  if (!j.is_object()) return bad("stream event is not a JSON object");
  if (j.contains("error")) return Error(ErrorCode::kUpstream, gemini_error_message(data));
  if (done_) return bad("data after the final chunk");
  std::vector<api::ChatChunk> out;
  if (id_.empty()) {
    id_ = j.contains("responseId") && j["responseId"].is_string()
              ? j["responseId"].get<std::string>()
              : "gemini-stream";
  }
  std::optional<api::Usage> usage;
  if (j.contains("usageMetadata") && j["usageMetadata"].is_object()) {
    FULCRUM_TRY(auto u, usage_from(j["usageMetadata"]));
    usage = u;
  }
  if (!j.contains("candidates")) {
    if (usage) return out;  // usage-only event: the final chunk carries it
    return bad("stream event without candidates");
  }
  if (!j["candidates"].is_array()) return bad("candidates is not an array");
  for (const auto& cand : j["candidates"]) {
    if (!cand.is_object()) return bad("candidate is not an object");
    api::ChatChunk c;
    c.id = id_;
    c.model = model_;
    c.index =
        cand.contains("index") && cand["index"].is_number_integer() ? cand["index"].get<int>() : 0;
    if (!started_) c.role = api::Role::kAssistant;
    started_ = true;
    std::vector<api::ToolCall> calls;
    int first_tool = next_tool_;
    FULCRUM_TRY_STATUS(read_parts(cand, &c.text, &calls, &next_tool_));
    for (size_t i = 0; i < calls.size(); ++i) {
      c.tool_calls.push_back(api::ToolCallDelta{first_tool + static_cast<int>(i), calls[i].id,
                                                calls[i].name, calls[i].arguments});
    }
    if (cand.contains("finishReason") && cand["finishReason"].is_string()) {
      c.finish_reason = finish_from(cand["finishReason"], next_tool_ > 0);
      c.usage = usage;
      done_ = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string gemini_embed_request_json(const api::EmbeddingRequest& r, std::string_view model) {
  json reqs = json::array();
  for (const auto& text : r.input) {
    json one = {{"model", fmt::format("models/{}", model)},
                {"content", {{"parts", json::array({json{{"text", text}}})}}}};
    if (r.dimensions) one["outputDimensionality"] = *r.dimensions;
    reqs.push_back(std::move(one));
  }
  return json{{"requests", reqs}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<api::EmbeddingResponse> parse_gemini_embed_response(std::string_view body,
                                                           std::string_view model) {
  json j = parse_or_null(body);
  if (!j.is_object() || !j.contains("embeddings") || !j["embeddings"].is_array()) {
    return bad("no embeddings array");
  }
  api::EmbeddingResponse out;
  out.model = std::string(model);
  for (const auto& e : j["embeddings"]) {
    if (!e.is_object() || !e.contains("values") || !e["values"].is_array()) {
      return bad("embedding without values");
    }
    std::vector<float> v;
    v.reserve(e["values"].size());
    for (const auto& x : e["values"]) {
      if (!x.is_number()) return bad("embedding value is not a number");
      v.push_back(x.get<float>());
    }
    out.data.push_back(std::move(v));
  }
  return out;
}

std::string gemini_error_message(std::string_view body) {
  json j = parse_or_null(body);
  if (j.is_array() && !j.empty()) j = j[0];  // some endpoints wrap the error in an array
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    if (e.contains("message") && e["message"].is_string()) return e["message"];
  }
  return std::string(body.substr(0, 200));
}

}  // namespace fulcrum::providers
