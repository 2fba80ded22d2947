// The stages of a sampler chain. Each stage is small and does one thing to the candidates:
// penalties, logit bias, top-k, top-p, min-p, temperature. The chain ends in a selector (greedy
// argmax or a seeded draw). Stages keep what they need between tokens (penalty history) in
// buffers sized at construction, so applying them does not allocate.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/sampler/candidates.h"

namespace fulcrum::engine {

class SamplerStage {
 public:
  virtual ~SamplerStage() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(Candidates& c) = 0;
  // Called with every token that becomes part of the sequence (prompt and generated).
  virtual void accept(int32_t /*token*/) {}
  virtual void reset() {}
};

// Repetition (llama.cpp / CTRL style: logit/r when positive, logit*r otherwise), frequency
// (count * f subtracted) and presence (p subtracted once) penalties over the last `last_n`
// accepted tokens.
class PenaltyStage final : public SamplerStage {
 public:
  PenaltyStage(int64_t n_vocab, int32_t last_n, float repeat, float frequency, float presence);
  std::string_view name() const override { return "penalties"; }
  void apply(Candidates& c) override;
  void accept(int32_t token) override;
  void reset() override;

 private:
  float repeat_, frequency_, presence_;
  std::vector<int32_t> counts_;  // [n_vocab] occurrences in the window
  std::vector<int32_t> ring_;    // the window, circular
  size_t head_ = 0;
  size_t filled_ = 0;
};

// Adds a fixed bias to chosen ids (-inf bans a token).
class LogitBiasStage final : public SamplerStage {
 public:
  explicit LogitBiasStage(std::vector<std::pair<int32_t, float>> bias) : bias_(std::move(bias)) {}
  std::string_view name() const override { return "logit_bias"; }
  void apply(Candidates& c) override;

 private:
  std::vector<std::pair<int32_t, float>> bias_;
};

class TopKStage final : public SamplerStage {
 public:
  explicit TopKStage(int32_t k) : k_(k) {}
  std::string_view name() const override { return "top_k"; }
  void apply(Candidates& c) override;

 private:
  int32_t k_;
};

// Keeps the smallest set of most likely tokens whose probability sums to at least p.
class TopPStage final : public SamplerStage {
 public:
  explicit TopPStage(float p) : p_(p) {}
  std::string_view name() const override { return "top_p"; }
  void apply(Candidates& c) override;

 private:
  float p_;
};

// Keeps tokens whose probability is at least min_p times the most likely one's.
class MinPStage final : public SamplerStage {
 public:
  explicit MinPStage(float p) : p_(p) {}
  std::string_view name() const override { return "min_p"; }
  void apply(Candidates& c) override;

 private:
  float p_;
};

class TemperatureStage final : public SamplerStage {
 public:
  explicit TemperatureStage(float t) : t_(t) {}
  std::string_view name() const override { return "temperature"; }
  void apply(Candidates& c) override;

 private:
  float t_;
};

}  // namespace fulcrum::engine
