// The `fulcrum tokenize` and `fulcrum detokenize` CLI contracts, on the real binary, over every
// vocab of ../shared/testdata/tokenizer:
//   - `tokenize VOCAB --no-special --json --file F` prints {"ids": [...], "pieces": [...]} with the
//     reference ids of every .inp string (one run per vocab: --file repeats, one line per file),
//     and the pieces are the tokens' bytes;
//   - `--file -` reads standard input, TEXT works as an argument, bytes are used as they are (a
//     trailing newline stays), BOS/EOS are added unless --no-special, control tokens written in
//     the text become tokens only with --parse-special;
//   - `detokenize VOCAB --json IDS...` prints {"text": ...}: the strings back (round trip) where
//     the tokenizer does not normalise by design (WordPiece does; it is compared with decode);
//   - an unknown tokenizer.ggml.model or tokenizer.ggml.pre is exit 1 with the value named.
// Each vocab costs a bounded number of runs of the binary (about ten).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_escape.h"
#include "engine/tokenizer/tokenizer.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tests/support/run_binary.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using fulcrum::testing::run_fulcrum;
using fulcrum::testing::RunResult;
using fulcrum::testing::TempFile;

struct Vectors {
  std::vector<std::string> inputs;
  std::vector<std::vector<TokenId>> outputs;
};

// FORMAT.md: strings separated by "\n__ggml_vocab_test__\n"; one line of ids per string.
Vectors read_vectors(const fs::path& vocab) {
  Vectors v;
  const std::string text = fulcrum::testing::read_all(vocab.string() + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t at = 0, k; (k = text.find(sep, at)) != std::string::npos; at = k + sep.size())
    v.inputs.push_back(text.substr(at, k - at));
  std::istringstream out(fulcrum::testing::read_all(vocab.string() + ".out"));
  for (std::string line; std::getline(out, line);) {
    std::istringstream ls(line);
    std::vector<TokenId> ids;
    for (TokenId id; ls >> id;) ids.push_back(id);
    v.outputs.push_back(std::move(ids));
  }
  return v;
}

std::vector<std::string> vocab_names() {
  std::vector<std::string> names;
  fs::path dir = fulcrum::testing::testdata_path("tokenizer");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".gguf") && fs::exists(dir / (name + ".inp")) &&
        fs::exists(dir / (name + ".out")))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What the JSON output holds for a piece: its bytes, invalid UTF-8 replaced by U+FFFD.
std::string json_piece(std::string_view piece) {
  return Json::parse("\"" + json_escape(piece) + "\"").get<std::string>();
}

std::vector<TokenId> ids_of(const Json& j) {
  return j.at("ids").get<std::vector<TokenId>>();
}

std::vector<std::string> to_args(const std::vector<TokenId>& ids) {
  std::vector<std::string> out;
  for (TokenId id : ids) out.push_back(std::to_string(id));
  return out;
}

class CliVocab : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    path_ = fulcrum::testing::testdata_path("tokenizer/" + GetParam());
    auto tok = Tokenizer::open(path_);
    ASSERT_TRUE(tok.ok()) << tok.error().to_string();
    tok_ = std::move(tok).value();
    v_ = read_vectors(path_);
    ASSERT_FALSE(v_.inputs.empty());
    ASSERT_EQ(v_.inputs.size(), v_.outputs.size());
  }
  bool normalises() const { return tok_->model() == TokenizerModel::kWordPiece; }
  // The longest test string with a non-ASCII byte and the longest ending in a newline.
  size_t pick(bool newline_end) const {
    size_t best = 0;
    for (size_t i = 0; i < v_.inputs.size(); ++i) {
      const std::string& s = v_.inputs[i];
      bool ok = newline_end ? (!s.empty() && s.back() == '\n')
                            : std::any_of(s.begin(), s.end(), [](char c) { return c & 0x80; });
      if (ok && s.size() > v_.inputs[best].size()) best = i;
    }
    return best;
  }
  RunResult tokenize(std::vector<std::string> args, const std::string& stdin_bytes = "") {
    args.insert(args.begin(), {"tokenize", path_});
    return run_fulcrum(args, stdin_bytes);
  }

  std::string path_;
  std::unique_ptr<Tokenizer> tok_;
  Vectors v_;
};

TEST_P(CliVocab, TokenizeEveryStringInOneRun) {
  std::vector<std::unique_ptr<TempFile>> files;
  std::vector<std::string> args = {"--no-special", "--json"};
  for (const auto& s : v_.inputs) {
    files.push_back(std::make_unique<TempFile>(s));
    args.push_back("--file");
    args.push_back(files.back()->path());
  }
  RunResult r = tokenize(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  size_t i = 0;
  for (std::string line; std::getline(lines, line); ++i) {
    ASSERT_LT(i, v_.inputs.size()) << "more output lines than inputs";
    SCOPED_TRACE("string " + std::to_string(i) + " '" + v_.inputs[i] + "'");
    Json j = Json::parse(line);
    ASSERT_TRUE(j.is_object() && j.size() == 2) << line;
    EXPECT_EQ(ids_of(j), v_.outputs[i]);
    const auto pieces = j.at("pieces").get<std::vector<std::string>>();
    ASSERT_EQ(pieces.size(), v_.outputs[i].size());
    for (size_t k = 0; k < pieces.size(); ++k)
      EXPECT_EQ(pieces[k], json_piece(tok_->token_to_piece(v_.outputs[i][k])));
  }
  EXPECT_EQ(i, v_.inputs.size());
}

TEST_P(CliVocab, TokenizeStdinArgumentAndSpecials) {
  // --file - reads standard input; the bytes are used as they are (the final newline stays).
  const size_t nl = pick(true);
  RunResult in = tokenize({"--file", "-", "--no-special", "--json"}, v_.inputs[nl]);
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_EQ(ids_of(Json::parse(in.out)), v_.outputs[nl]) << v_.inputs[nl];

  // TEXT as an argument, with BOS/EOS as the model's metadata says.
  const size_t k = pick(false);
  RunResult arg = tokenize({v_.inputs[k], "--json"});
  ASSERT_EQ(arg.exit_code, 0) << arg.err;
  const auto with_special = ids_of(Json::parse(arg.out));
  EXPECT_EQ(with_special, tok_->encode(v_.inputs[k], true, false));
  if (tok_->add_bos() && tok_->special().bos != kNoToken) {
    ASSERT_FALSE(with_special.empty());
    EXPECT_EQ(with_special.front(), tok_->special().bos);
  }
  RunResult plain = tokenize({v_.inputs[k], "--json", "--no-special"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(ids_of(Json::parse(plain.out)), v_.outputs[k]);

  // A control token written in the text is that token only with --parse-special.
  TokenId control = tok_->special().eos != kNoToken ? tok_->special().eos : tok_->special().sep;
  ASSERT_NE(control, kNoToken);
  ASSERT_TRUE(tok_->is_control(control)) << tok_->token_text(control);
  const std::string text = "Hello " + std::string(tok_->token_text(control)) + " world";
  RunResult parsed = tokenize({text, "--json", "--no-special", "--parse-special"});
  RunResult literal = tokenize({text, "--json", "--no-special"});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  ASSERT_EQ(literal.exit_code, 0) << literal.err;
  auto p = ids_of(Json::parse(parsed.out)), l = ids_of(Json::parse(literal.out));
  EXPECT_EQ(p, tok_->encode(text, false, true));
  EXPECT_EQ(l, tok_->encode(text, false, false));
  EXPECT_NE(std::find(p.begin(), p.end(), control), p.end()) << parsed.out;
  EXPECT_EQ(std::find(l.begin(), l.end(), control), l.end()) << literal.out;
}

TEST_P(CliVocab, DetokenizeRoundTrip) {
  // Three strings on their own: the text comes back exactly (or as decode gives it for WordPiece).
  std::vector<size_t> picks = {pick(false), pick(true), v_.inputs.size() - 1};
  for (size_t k : picks) {
    SCOPED_TRACE("string " + std::to_string(k) + " '" + v_.inputs[k] + "'");
    std::vector<std::string> args = {"detokenize", path_, "--json"};
    for (auto& a : to_args(v_.outputs[k])) args.push_back(a);
    RunResult r = run_fulcrum(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out);
    ASSERT_TRUE(j.is_object() && j.size() == 1) << r.out;
    const std::string want = normalises() ? tok_->decode(v_.outputs[k]) : v_.inputs[k];
    EXPECT_EQ(j.at("text").get<std::string>(), json_piece(want));
  }
  // Every string's ids in one run, as one comma-separated argument: the strings back to back.
  // (SentencePiece strips only the first leading space; each later string keeps the space its
  // encoding started with.)
  std::vector<TokenId> all;
  std::string want;
  for (size_t i = 0; i < v_.inputs.size(); ++i) {
    all.insert(all.end(), v_.outputs[i].begin(), v_.outputs[i].end());
    if (tok_->add_space_prefix() && !want.empty() && !v_.inputs[i].empty()) want += ' ';
    want += v_.inputs[i];
  }
  if (normalises()) want = tok_->decode(all);
  std::string joined;
  for (auto& a : to_args(all)) joined += (joined.empty() ? "" : ",") + a;
  RunResult r = run_fulcrum({"detokenize", path_, "--json", "[" + joined + "]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out).at("text").get<std::string>(), json_piece(want));
}

INSTANTIATE_TEST_SUITE_P(AllVocabs, CliVocab, ::testing::ValuesIn(vocab_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(11, info.param.size() - 16);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(TokenizerCliData, VocabsPresent) {
  EXPECT_GE(vocab_names().size(), 8u);
}

// A copy of the gpt-2 vocab with one metadata string replaced.
std::string vocab_with(const std::string& key, const std::string& value) {
  auto src =
      gguf::GgufFile::open(fulcrum::testing::testdata_path("tokenizer/ggml-vocab-gpt-2.gguf"));
  EXPECT_TRUE(src.ok());
  gguf::GgufWriter w;
  w.copy_metadata(*src);
  w.set_string(key, value);
  auto bytes = w.to_bytes();
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

TEST(TokenizerCli, UnknownModelOrPreTokenizerIsAClearError) {
  const std::pair<std::string, std::string> cases[] = {
      {"tokenizer.ggml.model", "quantum-bpe"},
      {"tokenizer.ggml.pre", "no-such-family-v9"},
  };
  for (const auto& [key, value] : cases) {
    TempFile model(vocab_with(key, value), ".gguf");
    auto lib = Tokenizer::open(model.path());
    ASSERT_FALSE(lib.ok());
    EXPECT_NE(lib.error().message().find(value), std::string::npos) << lib.error().to_string();
    EXPECT_NE(lib.error().to_string().find(key), std::string::npos) << lib.error().to_string();
    RunResult r = run_fulcrum({"tokenize", model.path(), "hello", "--json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(value), std::string::npos) << r.err;
    RunResult d = run_fulcrum({"detokenize", model.path(), "--json", "1"});
    EXPECT_EQ(d.exit_code, 1);
    EXPECT_NE(d.err.find(value), std::string::npos) << d.err;
  }
}

TEST(TokenizerCli, BadArguments) {
  const std::string vocab = fulcrum::testing::testdata_path("tokenizer/ggml-vocab-gpt-2.gguf");
  EXPECT_EQ(run_fulcrum({"tokenize", vocab}).exit_code, 2);  // neither TEXT nor --file
  EXPECT_EQ(run_fulcrum({"tokenize", vocab, "a", "--file", "-"}).exit_code, 2);
  EXPECT_EQ(run_fulcrum({"tokenize", vocab, "--file", "/no/such/file"}).exit_code, 1);
  EXPECT_EQ(run_fulcrum({"tokenize", "/no/such/model.gguf", "x"}).exit_code, 1);
  RunResult big = run_fulcrum({"detokenize", vocab, "--json", "99999999"});
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_NE(big.err.find("99999999"), std::string::npos) << big.err;
  EXPECT_EQ(run_fulcrum({"detokenize", vocab, "--json", "12x"}).exit_code, 1);
  EXPECT_EQ(run_fulcrum({"detokenize", vocab, "--json", "-3"}).exit_code, 1);
}

}  // namespace
}  // namespace fulcrum::engine
