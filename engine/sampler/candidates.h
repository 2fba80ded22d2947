// Candidates: the tokens a sampler stage chooses among — id, logit and (after softmax) p. The
// buffer is sized to n_vocab once; stages shrink `size` and reorder in place, so sampling a
// token does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fulcrum::engine {

struct TokenCandidate {
  int32_t id;
  float logit;
  float p;
};

class Candidates {
 public:
  explicit Candidates(size_t n_vocab = 0) : data_(n_vocab) {}

  // Loads a logits row: every id, unsorted, p unset.
  void reset(std::span<const float> logits);

  TokenCandidate* begin() { return data_.data(); }
  TokenCandidate* end() { return data_.data() + size_; }
  const TokenCandidate* begin() const { return data_.data(); }
  const TokenCandidate* end() const { return data_.data() + size_; }
  TokenCandidate& operator[](size_t i) { return data_[i]; }
  const TokenCandidate& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool sorted() const { return sorted_; }

  void truncate(size_t n) {
    if (n < size_) size_ = n;
  }
  // Sorts by logit descending (ties: lower id first); keeps only the first k when k > 0, using
  // a partial sort.
  void sort_desc(size_t k = 0);
  // p = softmax(logit) over the current candidates (in double, stable).
  void softmax();
  // Index of the largest logit (lowest id on ties).
  size_t argmax() const;

 private:
  std::vector<TokenCandidate> data_;
  size_t size_ = 0;
  bool sorted_ = false;
};

}  // namespace fulcrum::engine
