// TextMasks: bitmaps of where a text's bytes fall into a few classes, built in one SIMD pass (SSE2,
// 16 bytes a step) so that the privacy gates (router/privacy_gates.h) find their candidates with
// word operations instead of a loop over every byte. Bit i of word w stands for byte 64 * w + i;
// bits past the text's end are clear, and one clear word follows the last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fulcrum::router {

class TextMasks {
 public:
  enum Class : uint8_t {
    kDigit,    // 0-9
    kUpper,    // A-Z
    kColon,    // ':'
    kNumeric,  // 0x20-0x39: space, !"#$%&'()*+,-./ and digits (every number-shaped match's bytes)
    kClassCount,
  };

  // Rebuilds the masks for `text` (reusing the storage).
  void build(std::string_view text);

  size_t size() const { return size_; }  // the text's length in bytes
  const uint64_t* words(Class c) const { return bits_.data() + c * stride_; }
  bool test(Class c, size_t i) const { return i < size_ && (words(c)[i >> 6] >> (i & 63)) & 1; }
  // Set bits of class c in [from, to).
  size_t count(Class c, size_t from, size_t to) const;
  // The first i >= from whose bit is set (size() when none).
  size_t next_set(Class c, size_t from) const;
  // The first i >= from whose bit is clear (size() when none).
  size_t next_clear(Class c, size_t from) const;
  // One past the last i < from whose bit is clear (0 when none): the start of the run of set
  // bits that ends just before `from`.
  size_t run_start(Class c, size_t from) const;

 private:
  size_t size_ = 0;
  size_t stride_ = 0;           // words per class, including the clear word at the end
  std::vector<uint64_t> bits_;  // kClassCount * stride_
};

}  // namespace fulcrum::router
