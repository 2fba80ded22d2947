#include "router/redactor.h"

namespace fulcrum::router {
namespace {

bool placeholder_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

constexpr size_t kMaxPlaceholder = 80;

}  // namespace

std::string Redactor::mask(std::string_view text, uint32_t segment,
                           const std::vector<Finding>& findings) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const auto& f : findings) {
    if (f.segment != segment || f.start < pos || f.end > text.size() || f.end <= f.start) continue;
    out.append(text.substr(pos, f.start - pos));
    std::string original(text.substr(f.start, f.end - f.start));
    auto it = by_value_.find(original);
    if (it == by_value_.end()) {
      std::string kind;
      for (char c : f.kind) kind += placeholder_char(c) ? c : (c >= 'a' && c <= 'z') ? c - 32 : '_';
      std::string ph = "[[" + kind.substr(0, 60) + "_" + std::to_string(++counters_[kind]) + "]]";
      originals_.emplace(ph, original);
      it = by_value_.emplace(original, ph).first;
    }
    out.append(it->second);
    pos = f.end;
  }
  out.append(text.substr(pos));
  return out;
}

const std::string* Redactor::lookup(std::string_view placeholder) const {
  auto it = originals_.find(placeholder);
  return it == originals_.end() ? nullptr : &it->second;
}

std::string Redactor::restore(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("[[", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find("]]", open + 2);
    if (close == std::string_view::npos || close - open > kMaxPlaceholder) {
      out.append(text.substr(pos, open + 2 - pos));
      pos = open + 2;
      continue;
    }
    const std::string* orig = lookup(text.substr(open, close + 2 - open));
    out.append(text.substr(pos, open - pos));
    if (orig) {
      out.append(*orig);
      pos = close + 2;
    } else {
      out.append("[[");
      pos = open + 2;
    }
  }
  out.append(text.substr(pos));
  return out;
}

std::string StreamRestorer::push(std::string_view delta) {
  pending_.append(delta);
  // Hold back a tail that may still become a placeholder: "[", "[[", "[[EMA", "[[EMAIL_1]".
  size_t hold = pending_.size();
  size_t open = pending_.rfind('[');
  if (open != std::string::npos && pending_.size() - open <= kMaxPlaceholder) {
    if (open > 0 && pending_[open - 1] == '[') --open;
    bool could_be = true;
    size_t i = open;
    for (int k = 0; k < 2 && i < pending_.size(); ++k, ++i) could_be &= pending_[i] == '[';
    while (could_be && i < pending_.size() && placeholder_char(pending_[i])) ++i;
    if (could_be && i < pending_.size() && pending_[i] == ']') ++i;
    if (could_be && i == pending_.size()) hold = open;
  }
  std::string out = redactor_.restore(std::string_view(pending_).substr(0, hold));
  pending_.erase(0, hold);
  return out;
}

std::string StreamRestorer::finish() {
  std::string out = redactor_.restore(pending_);
  pending_.clear();
  return out;
}

}  // namespace fulcrum::router
