// core/json_writer and the request-path JSON around it: what the direct writer produces must be
// valid JSON that reads back (checked with nlohmann, an independent parser) to what was written,
// whatever the strings hold; and the simdjson-based readers keep the API's field rules.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "api/anthropic_json.h"
#include "api/json_util.h"
#include "api/openai_json.h"
#include "core/json_escape.h"
#include "core/json_writer.h"
#include "core/utf8.h"

namespace fulcrum {
namespace {

using Json = nlohmann::json;

TEST(JsonWriter, WritesCompactJsonWithCommasWhereTheyBelong) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().field("a", 1).field("b", "x").key("c").begin_array();
  w.value(true).null().value(-7).begin_object().end_object().begin_array().end_array();
  w.end_array().field("d", 2.5).field("e", 3.0).field("big", uint64_t{18446744073709551615u});
  w.end_object();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(
      out,
      R"({"a":1,"b":"x","c":[true,null,-7,{},[]],"d":2.5,"e":3.0,"big":18446744073709551615})");
}

TEST(JsonWriter, DoublesReadBackExactlyAndNonFiniteIsNull) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  for (int i = 0; i < 2000; ++i) {
    double d = dist(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
    std::string out;
    JsonWriter(&out).value(d);
    EXPECT_EQ(Json::parse(out).get<double>(), d) << out;
  }
  std::string out;
  JsonWriter w(&out);
  w.begin_array().value(std::nan("")).value(HUGE_VAL).value(0.1).end_array();
  EXPECT_EQ(out, "[null,null,0.1]");
}

TEST(JsonWriter, Rounded3WritesWhatTheRoundedDoubleWrites) {
  // The integer path against value(round(v * 1000) / 1000), text for text: random magnitudes
  // from 1e-6 to 1e16, signs, exact thousandths, halves, whole numbers around the e-form switch.
  std::mt19937_64 rng(3);
  std::vector<double> vs = {0,     -0.0,   0.0004,   -0.0004,     0.0005, -0.0005, 1,
                            9999,  10000,  100000,   123000,      1e6,    2.5e-4,  999.9995,
                            0.1,   0.12,   0.123,    1.1005,      -7.25,  1e15,    4.5e15,
                            1e300, -1e300, HUGE_VAL, std::nan("")};
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 20000; ++i) {
    double v = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 23) - 6);
    if (rng() % 2) v = -v;
    if (rng() % 4 == 0) v = std::round(v * 1000) / 1000;  // already a thousandth
    if (rng() % 8 == 0) v = std::round(v);
    vs.push_back(v);
  }
  for (double v : vs) {
    std::string fast, slow;
    JsonWriter(&fast).rounded3(v);
    JsonWriter(&slow).value(std::round(v * 1000) / 1000);
    ASSERT_EQ(fast, slow) << v;
  }
}

TEST(JsonWriter, StringsRoundTripAndInvalidUtf8BecomesReplacement) {
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) s.push_back(static_cast<char>(rng() % 256));
    std::string out;
    JsonWriter(&out).value(s);
    Json j = Json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "invalid JSON for input " << i;
    if (utf8::is_valid(s)) {
      EXPECT_EQ(j.get<std::string>(), s) << i;  // valid text reads back unchanged
    } else {
      EXPECT_NE(j.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << i;
    }
  }
  std::string out;
  JsonWriter(&out).value(std::string_view("q\"b\\n\n\t\x01\x7f/é", 12));
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001\x7f/é\"");
}

// A byte-at-a-time escaper written from the rules, to check the block-wise one against.
std::string reference_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8::sequence_length(s.substr(i));
      out += n ? std::string(s.substr(i, n)) : std::string("\xEF\xBF\xBD");
      i += n ? n : 1;
      continue;
    }
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\b')
      out += "\\b";
    else if (c == '\f')
      out += "\\f";
    else if (c < 0x20)
      out += std::string("\\u00") + kHex[c >> 4] + kHex[c & 15];
    else
      out.push_back(static_cast<char>(c));
    ++i;
  }
  return out;
}

TEST(JsonWriter, KeysOfEveryLengthAndContentAreEscapedLikeValues) {
  // Short plain keys take a copy-once path; long ones and ones with special bytes the escaper.
  // Lengths straddle that path's limit; the expected text comes from the byte-wise rules.
  std::mt19937 rng(5);
  const std::string alphabet = "abcXYZ_09 -.\"\\\n\t\x01\x7f\xC3\xA9\xFF";
  for (int i = 0; i < 3000; ++i) {
    size_t n = i < 100 ? static_cast<size_t>(i) : rng() % 90;
    bool plain = rng() % 2 == 0;
    std::string k;
    for (size_t j = 0; j < n; ++j)
      k.push_back(plain ? alphabet[rng() % 12] : alphabet[rng() % alphabet.size()]);
    std::string out;
    JsonWriter w(&out);
    w.begin_object().field("first", 1).field(k, 2).key(k).value(3).end_object();
    std::string want =
        "{\"first\":1,\"" + reference_escape(k) + "\":2,\"" + reference_escape(k) + "\":3}";
    ASSERT_EQ(out, want) << i;
    std::string lone;
    JsonWriter(&lone).begin_object().key(k).null().end_object();
    ASSERT_EQ(lone, "{\"" + reference_escape(k) + "\":null}") << i;
  }
}

TEST(JsonEscape, LongPlainRunsWithSparseSpecialBytesMatchTheByteWiseRules) {
  // Mostly printable ASCII (the escaper skips it 16 bytes at a time) with a special byte, a
  // multi-byte or broken UTF-8 sequence here and there, at every offset within and across blocks.
  const std::string specials[] = {"\"",   "\\",   "\n",       "\t",           std::string(1, '\0'),
                                  "\x1f", "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                  "\xC3", "\xFF", "\xE2\x82", "\xED\xA0\x80"};
  std::mt19937 rng(23);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    size_t n = rng() % 120;
    while (s.size() < n) {
      if (rng() % 24 == 0) {
        s += specials[rng() % std::size(specials)];
      } else {
        s.push_back(static_cast<char>(0x20 + rng() % 0x5f));
      }
    }
    std::string out = "prefix";  // appends, never overwrites
    json_escape_append(s, &out);
    ASSERT_EQ(out, "prefix" + reference_escape(s)) << "input " << i;
  }
  EXPECT_EQ(json_escape(std::string(40, 'a') + "\"" + std::string(20, 'b')),
            std::string(40, 'a') + "\\\"" + std::string(20, 'b'));
}

TEST(JsonEscape, PlainAsciiCheckFindsASpecialByteAtEveryPositionOfEveryLength) {
  // The check reads in 16-, 8- and 4-byte pieces that overlap at the end; a special byte at any
  // position of any length must be seen, and bytes just past the string must not count.
  const char specials[] = {'"', '\\', '\n', '\0', '\x1f', '\x01', '\xC3', '\xFF'};
  for (size_t n = 0; n <= 70; ++n) {
    std::string buf(n + 16, '"');  // specials right after the string
    for (size_t j = 0; j < n; ++j) buf[j] = static_cast<char>('a' + j % 26);
    std::string_view s(buf.data(), n);
    ASSERT_TRUE(json_plain_ascii(s)) << n;
    for (size_t at = 0; at < n; ++at) {
      for (char c : specials) {
        buf[at] = c;
        ASSERT_FALSE(json_plain_ascii(s)) << "length " << n << " at " << at << " byte "
                                          << static_cast<int>(static_cast<unsigned char>(c));
      }
      buf[at] = '~';  // 0x7e: the last plain byte
      ASSERT_TRUE(json_plain_ascii(s)) << n << " " << at;
      buf[at] = static_cast<char>('a' + at % 26);
    }
  }
}

TEST(JsonWriter, ValuesOfEveryLengthAroundTheOneAppendLimitMatchTheByteWiseRules) {
  // Plain values up to 128 bytes are copied in one append, the rest through the escaper; in an
  // array (commas) and after a key, with a special byte or none.
  std::mt19937 rng(31);
  const std::string alphabet = "abcXYZ_09 -./\"\\\n\t\x01\x7f\xC3\xA9\xFF";
  for (size_t n = 0; n <= 300; ++n) {
    for (int variant = 0; variant < 3; ++variant) {
      std::string v;
      for (size_t j = 0; j < n; ++j) v.push_back(alphabet[rng() % 13]);
      if (variant == 1 && n > 0) v[rng() % n] = alphabet[13 + rng() % (alphabet.size() - 13)];
      std::string out;
      JsonWriter w(&out);
      w.begin_object().key("a").begin_array().value(v).value(v).end_array().field("b", v);
      w.end_object();
      std::string e = "\"" + reference_escape(v) + "\"";
      ASSERT_EQ(out, "{\"a\":[" + e + "," + e + "],\"b\":" + e + "}") << n << " " << variant;
    }
  }
  std::string ints;
  JsonWriter(&ints)
      .begin_array()
      .value(-1)
      .value(uint64_t{18446744073709551615u})
      .value(0)
      .end_array();
  EXPECT_EQ(ints, "[-1,18446744073709551615,0]");
}

TEST(RequestPathJson, FindReturnsTheFirstFieldWithTheKeyAndTreatsNullAsAbsent) {
  api::detail::ParserLease lease;
  auto obj = api::detail::parse_object(
      lease, R"({"ab":1,"ac":2,"a":3,"abc":4,"":5,"ab":6,"n":null,"b\u0063":7,"x":{"ab":8}})");
  ASSERT_TRUE(obj.ok());
  auto num = [&](std::string_view key) -> int64_t {
    auto v = api::detail::find(*obj, key);
    if (!v) return -1;
    int64_t i = 0;
    EXPECT_EQ(v->get_int64().get(i), simdjson::SUCCESS) << key;
    return i;
  };
  EXPECT_EQ(num("ab"), 1);  // the first of two, as simdjson's at_key
  EXPECT_EQ(num("ac"), 2);  // same length and first byte as "ab"
  EXPECT_EQ(num("a"), 3);
  EXPECT_EQ(num("abc"), 4);
  EXPECT_EQ(num(""), 5);
  EXPECT_EQ(num("bc"), 7);  // keys compare unescaped
  EXPECT_EQ(num("n"), -1);  // null reads as absent
  EXPECT_EQ(num("abd"), -1);
  auto x = api::detail::find(*obj, "x");  // a nested object is a value like any other
  ASSERT_TRUE(x.has_value());
  EXPECT_TRUE(x->is_object());
}

TEST(RequestPathJson, UpstreamBodiesAreValidForHostileText) {
  // Control characters, quotes, invalid UTF-8 and a JSON-looking tool argument string.
  std::string text = "he said \"hi\"\n\x01\xff\xfe </script> \\u0000";
  api::ChatRequest r;
  r.model = "m";
  r.system.push_back(api::ContentPart{.text = text});
  api::Message u;
  u.role = api::Role::kUser;
  u.content.push_back(api::ContentPart{.text = text});
  r.messages.push_back(u);
  api::Message a;
  a.role = api::Role::kAssistant;
  a.tool_calls.push_back({"call_1", "f", "{\"x\": \"" + std::string("\xff") + "\"}"});  // not JSON
  a.tool_calls.push_back({"call_2", "g", " {\"y\": [1, 2.5, {\"z\": null}]} "});
  r.messages.push_back(a);
  r.tools.push_back({"f", text, "{\"type\":\"object\"}", true});
  r.stop = {text};
  r.temperature = 0.7;
  for (const std::string& body :
       {api::openai_chat_request_json(r, "gpt-x"), api::anthropic_request_json(r, "claude-x")}) {
    Json j = Json::parse(body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << body;
    EXPECT_EQ(j["model"].get<std::string>().substr(0, 3),
              body.find("claude") == std::string::npos ? "gpt" : "cla");
  }
  Json anth = Json::parse(api::anthropic_request_json(r, "claude-x"));
  const Json& blocks = anth["messages"][1]["content"];
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]["input"], Json::object());  // arguments that are not JSON: {}
  EXPECT_EQ(blocks[1]["input"], Json::parse(R"({"y":[1,2.5,{"z":null}]})"));
}

TEST(RequestPathJson, ParsedRequestsKeepPassThroughJsonAndNumbers) {
  auto r = api::parse_openai_chat_request(R"({
    "model": "auto", "temperature": 1, "top_p": 0.5, "max_tokens": 1e2, "seed": -3,
    "messages": [{"role": "user", "content": "hi \u00e9 \ud83d\ude00"}],
    "tools": [{"type": "function", "function": {"name": "f",
      "parameters": {"type": "object", "properties": {"b": {"type": "number", "maximum": 1.5e3}},
                     "required": ["b"]}}}],
    "metadata": {"k": "v"}, "stream": false})");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r->temperature, 1.0);
  EXPECT_EQ(*r->max_tokens, 100);
  EXPECT_EQ(*r->seed, -3);
  EXPECT_EQ(r->messages[0].text(), "hi \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(Json::parse(r->tools[0].parameters),
            Json::parse(R"({"type":"object","properties":{"b":{"type":"number","maximum":1500}},
                            "required":["b"]})"));
  EXPECT_EQ(r->metadata.at("k"), "v");
  // An integer out of int64 range is not an integer.
  auto big = api::parse_openai_chat_request(
      R"({"model":"m","max_tokens":18446744073709551615,"messages":[{"role":"user","content":"x"}]})");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().field(), "max_tokens");
  // Null means absent.
  auto nulls = api::parse_openai_chat_request(
      R"({"model":"m","temperature":null,"tools":null,"messages":[{"role":"user","content":"x","name":null}]})");
  ASSERT_TRUE(nulls.ok()) << nulls.error().to_string();
  EXPECT_FALSE(nulls->temperature.has_value());
}

}  // namespace
}  // namespace fulcrum
