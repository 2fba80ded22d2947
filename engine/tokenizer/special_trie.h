// SpecialTrie: every occurrence, at every position of a text, of a set of special-token texts, in
// one pass. A byte trie with a 256-way root: a position whose byte starts no special token costs
// one load, so plain text is scanned at memory speed however many special tokens the vocab has
// (some have thousands that share a first byte).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace fulcrum::engine {

class SpecialTrie {
 public:
  SpecialTrie() { root_.fill(-1); }

  // Adds a string with its value; per string the smallest value is kept for all tokens and, apart,
  // for user-defined ones.
  void add(std::string_view text, uint32_t value, bool user_defined) {
    if (text.empty()) return;
    int32_t node = child_of_root(static_cast<uint8_t>(text[0]));
    for (size_t i = 1; i < text.size(); ++i) node = child(node, static_cast<uint8_t>(text[i]));
    Node& n = nodes_[node];
    if (n.any < 0 || static_cast<int64_t>(value) < n.any) n.any = value;
    if (user_defined && (n.user < 0 || static_cast<int64_t>(value) < n.user)) n.user = value;
  }

  // Calls fn(value, pos) for every string occurring at text[pos..] (user-defined ones only when
  // user_only).
  template <class Fn>
  void find_all(std::string_view text, bool user_only, Fn&& fn) const {
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const size_t n = text.size();
    for (size_t pos = 0; pos < n; ++pos) {
      int32_t node = root_[s[pos]];
      for (size_t i = pos + 1; node >= 0; ++i) {
        const Node& nd = nodes_[node];
        int64_t v = user_only ? nd.user : nd.any;
        if (v >= 0) fn(static_cast<uint32_t>(v), static_cast<uint32_t>(pos));
        if (i >= n) break;
        node = find_child(nd, s[i]);
      }
    }
  }

 private:
  struct Node {
    int64_t any = -1, user = -1;
    std::vector<std::pair<uint8_t, int32_t>> children;
  };

  int32_t child_of_root(uint8_t b) {
    if (root_[b] < 0) {
      root_[b] = static_cast<int32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    return root_[b];
  }
  int32_t child(int32_t node, uint8_t b) {
    if (int32_t c = find_child(nodes_[node], b); c >= 0) return c;
    auto id = static_cast<int32_t>(nodes_.size());
    nodes_[node].children.emplace_back(b, id);
    nodes_.emplace_back();
    return id;
  }
  static int32_t find_child(const Node& n, uint8_t b) {
    for (const auto& [k, c] : n.children)
      if (k == b) return c;
    return -1;
  }

  std::array<int32_t, 256> root_;
  std::vector<Node> nodes_;
};

}  // namespace fulcrum::engine
