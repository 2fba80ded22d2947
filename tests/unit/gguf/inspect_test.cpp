// `fulcrum inspect --json` on every .gguf under the test data (found at run time, recursively),
// checked against figures computed here from the raw bytes with a minimal parser of our own
// (not the project's reader) and OpenSSL's SHA-256. Bad files: exit status 1, one stderr line
// naming the file, the offset and the field.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_byte_builder.h"
#include "kernels/ggml_type.h"
#include "tests/support/testdata.h"

namespace fulcrum::gguf {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- an independent, minimal GGUF walk (trusts the file: these are known-good files) ----------

struct RawFacts {
  std::map<std::string, std::string> strings;  // string-valued keys
  std::map<std::string, uint64_t> uints;       // non-negative integer keys
  std::map<std::string, uint64_t> array_len;   // array-valued keys → element count
  uint64_t n_tensors = 0;
  uint64_t n_params = 0;
  std::map<uint32_t, uint64_t> type_counts;  // ggml type id → tensors
};

class RawWalk {
 public:
  explicit RawWalk(const std::string& b) : b_(b) {}

  RawFacts run() {
    RawFacts r;
    EXPECT_EQ(b_.substr(0, 4), "GGUF");
    pos_ = 4;
    u32();
    r.n_tensors = u64();
    uint64_t n_kv = u64();
    for (uint64_t i = 0; i < n_kv; ++i) {
      std::string key = str();
      uint32_t type = u32();
      if (type == 8) {
        r.strings[key] = str();
      } else if (type == 9) {
        uint32_t elem = u32();
        uint64_t n = u64();
        r.array_len[key] = n;
        for (uint64_t k = 0; k < n; ++k) skip(elem);
      } else {
        std::optional<uint64_t> v = scalar(type);
        if (v) r.uints[key] = *v;
      }
    }
    for (uint64_t t = 0; t < r.n_tensors; ++t) {
      str();
      uint32_t n_dims = u32();
      uint64_t n = 1;
      for (uint32_t d = 0; d < n_dims; ++d) n *= u64();
      uint32_t type = u32();
      u64();
      r.n_params += n;
      ++r.type_counts[type];
    }
    return r;
  }

 private:
  template <typename T>
  T get() {
    T v{};
    EXPECT_LE(pos_ + sizeof v, b_.size());
    if (pos_ + sizeof v <= b_.size()) std::memcpy(&v, b_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  std::string str() {
    uint64_t n = u64();
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Unsigned value of an integer scalar (nullopt for negatives, floats, bools).
  std::optional<uint64_t> scalar(uint32_t type) {
    switch (type) {
      case 0:
        return get<uint8_t>();
      case 2:
        return get<uint16_t>();
      case 4:
        return get<uint32_t>();
      case 10:
        return get<uint64_t>();
      case 1: {
        auto v = get<int8_t>();
        return v < 0 ? std::nullopt : std::optional<uint64_t>(v);
      }
      case 3: {
        auto v = get<int16_t>();
        return v < 0 ? std::nullopt : std::optional<uint64_t>(v);
      }
      case 5: {
        auto v = get<int32_t>();
        return v < 0 ? std::nullopt : std::optional<uint64_t>(v);
      }
      case 11: {
        auto v = get<int64_t>();
        return v < 0 ? std::nullopt : std::optional<uint64_t>(v);
      }
      case 6:
        get<float>();
        return std::nullopt;
      case 12:
        get<double>();
        return std::nullopt;
      case 7:
        get<uint8_t>();
        return std::nullopt;
    }
    ADD_FAILURE() << "unexpected value type " << type;
    return std::nullopt;
  }
  void skip(uint32_t type) {
    if (type == 8) {
      str();
    } else if (type == 9) {
      uint32_t elem = u32();
      uint64_t n = u64();
      for (uint64_t k = 0; k < n; ++k) skip(elem);
    } else {
      scalar(type);
    }
  }

  const std::string& b_;
  size_t pos_ = 0;
};

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr), 1);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

// ---- running the binary ------------------------------------------------------------------------

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally (signal)
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

RunResult run_inspect(const std::string& args) {
  static int counter = 0;
  std::string err_path =
      (fs::temp_directory_path() /
       ("fulcrum_inspect_err_" + std::to_string(getpid()) + "_" + std::to_string(counter++)))
          .string();
  std::string cmd =
      quote(fulcrum::testing::fulcrum_binary()) + " inspect " + args + " 2>" + quote(err_path);
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.err = slurp(err_path);
  fs::remove(err_path);
  return r;
}

std::vector<std::string> all_gguf_files() {
  std::vector<std::string> files;
  fs::path root = fulcrum::testing::testdata_dir();
  if (!fs::exists(root)) return files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".gguf") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json opt_uint(const RawFacts& r, const std::string& key) {
  auto it = r.uints.find(key);
  return it == r.uints.end() ? nlohmann::json() : nlohmann::json(it->second);
}

std::string opt_str(const RawFacts& r, const std::string& key) {
  auto it = r.strings.find(key);
  return it == r.strings.end() ? std::string() : it->second;
}

void check_file(const std::string& path) {
  SCOPED_TRACE(path);
  std::string bytes = slurp(path);
  RawFacts raw = RawWalk(bytes).run();
  RunResult res = run_inspect("--json " + quote(path));
  ASSERT_EQ(res.exit_code, 0) << res.err;
  auto j = nlohmann::json::parse(res.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << res.out;

  std::string arch = opt_str(raw, "general.architecture");
  EXPECT_EQ(j["architecture"], arch);
  EXPECT_EQ(j["name"], opt_str(raw, "general.name"));
  EXPECT_EQ(j["license"], opt_str(raw, "general.license"));
  EXPECT_EQ(j["tokenizer_model"], opt_str(raw, "tokenizer.ggml.model"));
  EXPECT_EQ(j["n_tensors"], raw.n_tensors);
  EXPECT_EQ(j["n_params"], raw.n_params);
  nlohmann::json types = nlohmann::json::object();
  for (auto [id, count] : raw.type_counts)
    types[std::string(kernels::ggml_type_name(static_cast<kernels::GgmlType>(id)))] = count;
  EXPECT_EQ(j["tensor_types"], types);
  const std::string p = arch + ".";
  EXPECT_EQ(j["context_length"], opt_uint(raw, p + "context_length"));
  EXPECT_EQ(j["n_embd"], opt_uint(raw, p + "embedding_length"));
  EXPECT_EQ(j["n_layer"], opt_uint(raw, p + "block_count"));
  EXPECT_EQ(j["n_head"], opt_uint(raw, p + "attention.head_count"));
  auto kv = opt_uint(raw, p + "attention.head_count_kv");
  EXPECT_EQ(j["n_head_kv"], kv.is_null() ? opt_uint(raw, p + "attention.head_count") : kv);
  EXPECT_EQ(j["n_ff"], opt_uint(raw, p + "feed_forward_length"));
  auto tokens = raw.array_len.find("tokenizer.ggml.tokens");
  if (tokens != raw.array_len.end())
    EXPECT_EQ(j["n_vocab"], tokens->second);
  else
    EXPECT_EQ(j["n_vocab"], opt_uint(raw, p + "vocab_size"));
  EXPECT_EQ(j["sha256"], sha256_hex(bytes));
  EXPECT_EQ(j["file_size"], bytes.size());
  EXPECT_EQ(j["chat_template"], !opt_str(raw, "tokenizer.chat_template").empty());
}

TEST(Inspect, JsonMatchesIndependentFiguresForEveryTestDataFile) {
  auto files = all_gguf_files();
  ASSERT_GE(files.size(), 10u) << "no .gguf files under " << fulcrum::testing::testdata_dir();
  for (const auto& f : files) check_file(f);
}

TEST(Inspect, HumanCardNamesTheKeyFacts) {
  std::string path = fulcrum::testing::testdata_path("models/kjv-tiny-q4_k_m.gguf");
  RunResult r = run_inspect(quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"architecture", "llama", "parameters", "Q4_K_M", "q4_K", "sha256"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing from:\n" << r.out;
}

// ---- bad files
// -----------------------------------------------------------------------------------

void expect_one_line_error(const std::string& bytes, const std::string& field) {
  std::string path =
      (fs::temp_directory_path() / ("fulcrum_bad_" + std::to_string(getpid()) + ".gguf")).string();
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  for (const char* flags : {"--json ", ""}) {
    RunResult r = run_inspect(flags + quote(path));
    EXPECT_EQ(r.exit_code, 1) << "not exit status 1 (signal or other): " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.back(), '\n');
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("offset "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(field), std::string::npos) << r.err;
  }
  fs::remove(path);
}

TEST(Inspect, BadFilesExitOneWithAOneLineError) {
  using B = GgufByteBuilder;
  expect_one_line_error(B().raw("GGML").u32(3).u64(0).u64(0).take(), "header.magic");
  expect_one_line_error(B().header(9, 0, 0).take(), "header.version");
  expect_one_line_error(B().header(3, 0, 5).take(), "header.n_kv");
  expect_one_line_error(
      B().header(3, 0, 2).kv("a", WriteValue::u8(1)).kv("a", WriteValue::u8(1)).take(), "'a'");
  // A real model cut in the middle of its metadata.
  std::string real = slurp(fulcrum::testing::testdata_path("models/kjv-tiny-q8_0.gguf"));
  ASSERT_GT(real.size(), 5000u);
  expect_one_line_error(real.substr(0, 3000), "kv");
  // Wrong metadata type for a model-card key: the reader accepts it, the card names the key.
  expect_one_line_error(B().header(3, 0, 1).kv("general.name", WriteValue::u32(7)).take(),
                        "general.name");
}

TEST(Inspect, MissingFileAndBadUsage) {
  RunResult missing = run_inspect("/nonexistent/fulcrum/model.gguf");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/fulcrum/model.gguf"), std::string::npos);
  RunResult usage = run_inspect("");
  EXPECT_EQ(usage.exit_code, 2);
  RunResult unknown = run_inspect("--bogus x.gguf");
  EXPECT_EQ(unknown.exit_code, 2);
}

}  // namespace
}  // namespace fulcrum::gguf
