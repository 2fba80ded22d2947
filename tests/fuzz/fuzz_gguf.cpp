// libFuzzer target for the GGUF reader: any bytes must either be rejected with an error that
// names an offset inside the input, or be accepted — and then every metadata value can be walked,
// every tensor's data lies inside the input, the model card computes, and the writer can write
// the file again into bytes the reader accepts with the same content.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf/model_card.h"

namespace {

using fulcrum::gguf::GgufFile;
using fulcrum::gguf::Value;
using fulcrum::gguf::ValueType;

#define FUZZ_CHECK(cond)  \
  do {                    \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// Touches every part of a value so ASan sees any read outside the input.
uint64_t walk(const Value& v) {
  uint64_t h = static_cast<uint64_t>(v.type());
  h += v.as_uint().value_or(0) + static_cast<uint64_t>(v.as_int().value_or(0));
  h += static_cast<uint64_t>(v.as_float().value_or(0) != 0) + v.as_bool().value_or(false);
  if (auto s = v.as_string()) h += s->empty() ? 0 : static_cast<uint8_t>(s->back()) + s->size();
  if (!v.is_array()) return h;
  h += v.size();
  if (v.elem_type() == ValueType::kString) {
    FUZZ_CHECK(v.strings().size() == v.size());
    for (auto s : v.strings()) h += s.empty() ? 0 : static_cast<uint8_t>(s.back());
  } else if (v.elem_type() == ValueType::kArray) {
    FUZZ_CHECK(v.elements().size() == v.size());
    for (const auto& e : v.elements()) h += walk(e);
  } else {
    for (uint64_t i = 0; i < v.size(); ++i)
      h += static_cast<uint64_t>(v.int_at(i).value_or(0)) + (v.float_at(i).value_or(0) > 0);
    FUZZ_CHECK(!v.int_at(v.size()) && !v.float_at(v.size()));
  }
  return h;
}

// Everything the reader accepted can be written again and reads back the same.
void rewrite(const GgufFile& f) {
  fulcrum::gguf::GgufWriter w;
  w.copy_metadata(f);
  for (const auto& t : f.tensors())
    FUZZ_CHECK(w.add_tensor(t.name, t.type, std::span<const uint64_t>(t.ne.data(), t.n_dims),
                            t.data)
                   .ok());
  auto bytes = w.to_bytes();
  FUZZ_CHECK(bytes.ok());
  auto g = GgufFile::from_bytes(*bytes, "rewritten");
  FUZZ_CHECK(g.ok());
  FUZZ_CHECK(g->metadata().size() == f.metadata().size());
  FUZZ_CHECK(g->tensors().size() == f.tensors().size());
  FUZZ_CHECK(g->alignment() == f.alignment());
  for (size_t i = 0; i < f.metadata().size(); ++i) {
    FUZZ_CHECK(g->metadata()[i].key == f.metadata()[i].key);
    FUZZ_CHECK(fulcrum::gguf::WriteValue::from(g->metadata()[i].value).payload() ==
               fulcrum::gguf::WriteValue::from(f.metadata()[i].value).payload());
  }
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    const auto& a = f.tensors()[i];
    const auto& b = g->tensors()[i];
    FUZZ_CHECK(a.name == b.name && a.type == b.type && a.ne == b.ne && a.n_bytes == b.n_bytes);
    FUZZ_CHECK(std::memcmp(a.data, b.data, a.n_bytes) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto f = GgufFile::from_bytes(bytes, "fuzz.gguf");
  if (!f.ok()) {
    const auto& e = f.error();
    FUZZ_CHECK(e.file() == "fuzz.gguf");
    FUZZ_CHECK(e.offset() >= 0 && static_cast<uint64_t>(e.offset()) <= size);
    FUZZ_CHECK(!e.field().empty());
    FUZZ_CHECK(!e.to_string().empty());
    return 0;
  }
  volatile uint64_t sink = 0;
  for (const auto& kv : f->metadata()) {
    FUZZ_CHECK(f->find(kv.key) == &kv.value);
    FUZZ_CHECK(kv.offset < size);
    sink = sink + walk(kv.value);
    (void)f->get_string(kv.key);
    (void)f->get_uint(kv.key);
    (void)f->get_int(kv.key);
    (void)f->get_float(kv.key);
    (void)f->get_bool(kv.key);
  }
  for (const auto& t : f->tensors()) {
    FUZZ_CHECK(f->find_tensor(t.name) == &t);
    FUZZ_CHECK(t.data >= f->bytes() && t.data + t.n_bytes <= f->bytes() + f->file_size());
    FUZZ_CHECK(t.n_bytes > 0);
    sink = sink + t.data[0] + t.data[t.n_bytes - 1];
  }
  auto card = fulcrum::gguf::make_model_card(*f);
  if (card.ok()) FUZZ_CHECK(card->n_tensors == f->tensors().size());
  rewrite(*f);
  return 0;
}
