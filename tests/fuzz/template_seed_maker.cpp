// template_seed_maker OUT_DIR: writes fuzz seeds for fuzz_template into OUT_DIR: for every case of
// every chat golden ($FULCRUM_TESTDATA/chat/golden/*.json) its template, a NUL byte and the case's
// input JSON; small templates for features the real ones use little; and every built-in template
// (rendered, like the small ones, over the fuzzer's fixed conversations).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/chat/chat_template.h"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
  return static_cast<bool>(out);
}

// Small templates for the features the real templates use little or not at all.
constexpr const char* kSnippets[] = {
    "{% macro m(a, b='x') %}[{{ a }}|{{ b }}|{{ caller() if caller else '' }}]{% endmacro %}"
    "{% call m(1) %}body{% endcall %}{{ m(2, b=3) }}",
    "{% for m in messages %}{% if loop.index is even %}{% continue %}{% endif %}"
    "{{ loop.index0 }}{{ m.role[:2] }}{{ loop.revindex }}{% if loop.last %}{% break %}{% endif %}"
    "{% else %}none{% endfor %}",
    "{% set ns = namespace(n=0, s='') %}{% for m in messages %}{% set ns.n = ns.n + 1 %}"
    "{% set ns.s = ns.s ~ m.content %}{% endfor %}{{ ns.n }}:{{ ns.s | length }}",
    "{% set block %}{{ messages | map(attribute='role') | join(',') }}{% endset %}"
    "{{ block | upper | replace('USER', 'u') | trim }}",
    "{{ messages[::-1] | selectattr('role', 'equalto', 'user') | list | tojson(indent=2) }}",
    "{{ {'b': 1, 'a': [1, 2.5, none, true]} | dictsort | tojson }}{{ (messages | first).keys() | "
    "list }}",
    "{% filter upper %}{{ 'abc' ~ 1 ~ 2.0 }}{% endfilter %}{{ '%s-%d' % ('a', 3) }}{{ 7 // 2 }}"
    "{{ 2 ** 10 }}{{ -7 % 3 }}",
    "{% for k, v in (tools | default([{}]))[0].items() %}{{ k }}={{ v is mapping }};{% endfor %}",
    "{{ 'a,b,,c'.split(',') }}{{ ' x '.strip() }}{{ 'Hi'.startswith(('H', 'x')) }}"
    "{{ 'x'.center(9, '*') }}{{ 'abc' | indent(4, first=true) }}{{ 'q' in 'aqb' }}",
    "{%- if messages | length > 1 and messages[0]['role'] == 'system' -%}"
    "{{- raise_exception('no system: ' ~ messages[0].role) -}}{%- endif -%}"
    "{{ strftime_now('%Y-%m-%d %H:%M') }}",
    "{% for i in range(5) %}{{ loop.cycle('a', 'b') }}{{ i if i is odd else '-' }}{% endfor %}"
    "{{ range(3) | sum }}{{ [3, 1, 2] | sort | reverse | list }}",
    "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}"
    "{{ messages | rejectattr('content', 'none') | map(attribute='content') | map('lower') | "
    "unique | list }}",
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: template_seed_maker OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  const char* env = std::getenv("FULCRUM_TESTDATA");
  const fs::path chat = (env && *env) ? fs::path(env) / "chat"
                                      : fs::path(FULCRUM_SOURCE_DIR) / "../shared/testdata/chat";
  std::vector<fs::path> goldens;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(chat / "golden", ec))
    if (e.path().extension() == ".json") goldens.push_back(e.path());
  std::sort(goldens.begin(), goldens.end());
  size_t n = 0, failed = 0;
  for (const auto& g : goldens) {
    auto j = nlohmann::ordered_json::parse(slurp(g), nullptr, false);
    if (j.is_discarded() || !j.contains("template") || !j.contains("cases")) {
      std::fprintf(stderr, "template_seed_maker: %s: not a golden file\n", g.c_str());
      ++failed;
      continue;
    }
    const std::string source = slurp(chat / "templates" / j["template"].get<std::string>());
    size_t i = 0;
    for (const auto& c : j["cases"]) {
      std::string seed = source;
      seed.push_back('\0');
      seed += c["input"].dump();
      auto name = g.stem().string() + "-" + std::to_string(i++);
      if (write(out / name, seed))
        ++n;
      else
        ++failed;
    }
  }
  for (size_t i = 0; i < std::size(kSnippets); ++i) {
    if (write(out / ("snippet-" + std::to_string(i)), kSnippets[i]))
      ++n;
    else
      ++failed;
  }
  for (auto name : fulcrum::engine::chat::builtin_template_names()) {
    if (write(out / ("builtin-" + std::string(name)),
              std::string(*fulcrum::engine::chat::builtin_template(name))))
      ++n;
    else
      ++failed;
  }
  std::printf("template_seed_maker: %zu seeds from %zu golden files\n", n, goldens.size());
  return failed == 0 && !goldens.empty() ? 0 : 1;
}
