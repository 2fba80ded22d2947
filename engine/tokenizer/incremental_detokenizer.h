// IncrementalDetokenizer: turns a stream of token ids into text for streaming, never emitting half
// a UTF-8 character: bytes of a character split across tokens (byte-fallback <0xNN> tokens,
// byte-level BPE pieces) are held until the character is complete (at most 3 bytes are held). The
// concatenation of every push() and the final finish() equals Tokenizer::decode of all the ids
// with the same options, except that with remove_special a trailing EOS the model adds itself is
// not removed (a stream cannot know which token is its last).
// No allocation per token once the internal buffer has grown to the longest pending piece.
#pragma once

#include <string>
#include <string_view>

#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::engine {

class IncrementalDetokenizer {
 public:
  explicit IncrementalDetokenizer(const Tokenizer& tokenizer, DecodeOptions options = {});

  // Adds one token; returns the text that became complete (valid until the next call).
  std::string_view push(TokenId id);
  // Ends the stream: returns the bytes still held (an incomplete character at the very end).
  std::string_view finish();
  // Forgets everything (a new stream).
  void reset();

  size_t pending_bytes() const { return pending_.size() - emitted_; }

 private:
  const Tokenizer& tok_;
  DecodeOptions options_;
  std::string pending_;
  size_t emitted_ = 0;  // bytes of pending_ already returned
  bool first_ = true;
};

// Length of the longest prefix of s that does not end inside an incomplete UTF-8 sequence (an
// invalid sequence counts as complete: more bytes cannot make it valid).
size_t complete_utf8_prefix(std::string_view s);

}  // namespace fulcrum::engine
