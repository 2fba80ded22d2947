// Folds a streamed reply (SSE) into one JSON summary per inbound dialect, so case files can
// state what a stream must add up to, and checks the stream's framing on the way:
//
//  OpenAI chat / completions: {"objects": [distinct "object" values], "ids": n distinct ids,
//    "role", "text", "finish_reason", "tool_calls": [{"id","name","arguments"}],
//    "usage": {...} (the usage-only chunk), "done": true when "[DONE]" ended it,
//    "error": {...} (an error event in the stream)}
//  Anthropic messages: {"events": [names in order], "message": message_start's message,
//    "text", "tool_use": [{"id","name","input"}], "stop_reason", "usage": message_delta's,
//    "error": {...}}
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.h"

namespace fulcrum::e2e {

inline json summarize_openai_stream(const std::vector<SseEvent>& events, std::string* problem) {
  json s = {{"text", ""}, {"done", false}};
  std::vector<std::string> objects, ids;
  json calls = json::array();
  for (const auto& ev : events) {
    if (s["done"] == true) *problem = "data after [DONE]";
    if (ev.data == "[DONE]") {
      s["done"] = true;
      continue;
    }
    json j = json::parse(ev.data, nullptr, false);
    if (!j.is_object()) {
      *problem = "a data line is not a JSON object: " + ev.data;
      continue;
    }
    if (j.contains("error")) {
      s["error"] = j["error"];
      continue;
    }
    std::string obj = j.value("object", "");
    if (std::find(objects.begin(), objects.end(), obj) == objects.end()) objects.push_back(obj);
    std::string id = j.value("id", "");
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    if (j.contains("usage") && !j["usage"].is_null()) s["usage"] = j["usage"];
    if (!j.contains("choices") || !j["choices"].is_array()) {
      *problem = "a chunk without choices: " + ev.data;
      continue;
    }
    for (const auto& c : j["choices"]) {
      if (c.contains("text") && c["text"].is_string())
        s["text"] = s["text"].get<std::string>() + c["text"].get<std::string>();
      if (c.contains("finish_reason") && !c["finish_reason"].is_null())
        s["finish_reason"] = c["finish_reason"];
      if (!c.contains("delta")) continue;
      const json& d = c["delta"];
      if (d.contains("role") && !d["role"].is_null()) {
        if (s.contains("role")) *problem = "role sent twice";
        s["role"] = d["role"];
      }
      if (d.contains("content") && d["content"].is_string())
        s["text"] = s["text"].get<std::string>() + d["content"].get<std::string>();
      if (!d.contains("tool_calls") || !d["tool_calls"].is_array()) continue;
      for (const auto& tc : d["tool_calls"]) {
        size_t idx = tc.value("index", 0);
        while (calls.size() <= idx) calls.push_back({{"id", ""}, {"name", ""}, {"arguments", ""}});
        json& call = calls[idx];
        if (tc.contains("id") && tc["id"].is_string()) call["id"] = tc["id"];
        if (tc.contains("function")) {
          const json& f = tc["function"];
          if (f.contains("name") && f["name"].is_string()) call["name"] = f["name"];
          if (f.contains("arguments") && f["arguments"].is_string())
            call["arguments"] =
                call["arguments"].get<std::string>() + f["arguments"].get<std::string>();
        }
      }
    }
  }
  s["objects"] = objects;
  s["ids"] = ids.size();
  if (!calls.empty()) s["tool_calls"] = calls;
  return s;
}

inline json summarize_anthropic_stream(const std::vector<SseEvent>& events, std::string* problem) {
  json s = {{"text", ""}, {"events", json::array()}};
  json tools = json::array();
  std::vector<std::string> partial;  // per tool_use block, the input JSON text so far
  std::vector<int> block_tool;       // content block index -> tool index or -1
  for (const auto& ev : events) {
    s["events"].push_back(ev.event);
    json j = json::parse(ev.data, nullptr, false);
    if (!j.is_object() || j.value("type", "") != ev.event) {
      *problem = "event '" + ev.event + "' data type differs: " + ev.data;
      continue;
    }
    if (ev.event == "error") s["error"] = j["error"];
    if (ev.event == "message_start") s["message"] = j["message"];
    if (ev.event == "content_block_start") {
      size_t idx = j.value("index", 0);
      if (idx != block_tool.size()) *problem = "content block indexes are not 0, 1, 2, ...";
      const json& b = j["content_block"];
      if (b.value("type", "") == "tool_use") {
        block_tool.push_back(static_cast<int>(tools.size()));
        tools.push_back({{"id", b.value("id", "")}, {"name", b.value("name", "")}});
        partial.emplace_back();
      } else {
        block_tool.push_back(-1);
      }
    }
    if (ev.event == "content_block_delta") {
      size_t idx = j.value("index", 0);
      const json& d = j["delta"];
      if (d.value("type", "") == "text_delta")
        s["text"] = s["text"].get<std::string>() + d.value("text", "");
      if (d.value("type", "") == "input_json_delta" && idx < block_tool.size() &&
          block_tool[idx] >= 0)
        partial[block_tool[idx]] += d.value("partial_json", "");
    }
    if (ev.event == "message_delta") {
      s["stop_reason"] = j["delta"].value("stop_reason", json());
      if (j.contains("usage")) s["usage"] = j["usage"];
    }
  }
  for (size_t i = 0; i < tools.size(); ++i) {
    json input = json::parse(partial[i].empty() ? "{}" : partial[i], nullptr, false);
    if (input.is_discarded()) *problem = "tool_use input is not JSON: " + partial[i];
    tools[i]["input"] = input;
  }
  if (!tools.empty()) s["tool_use"] = tools;
  return s;
}

}  // namespace fulcrum::e2e
