// Privacy scan cost: how long the router's privacy classifier (router/privacy_classifier.h: the
// built-in detectors in Vectorscan databases, router/privacy_scanner.h, plus the C++ validators)
// takes on realistic 4 KB prompts, clean and with planted findings, and how much it adds to
// Router::route() for a 4 KB chat request (route with [privacy] enabled minus route with it
// disabled). Target (issue Gateway I): the scan adds at most 50 µs to a 4 KB prompt. Prints one
// JSON object.
//
//   privacy_scan_bench [--iters N] [--bytes 4096] [--dump-prompts DIR]
//
// --dump-prompts writes each prompt to DIR/<name>.txt (to profile the scan on the same text).
//
// Prompts are built in-process from fixed templates with a fixed-seed generator: prose (a
// support ticket), source code, a JSON tool result and a service log, each full of the hard
// negatives the corpus uses (dates, versions, order numbers, UUIDs, hashes, prices, latencies).
// The planted variants carry one email, payment card, phone number, IBAN, AWS access key and JWT.
// Wall time per call. "scan" and "route_*": prompts interleaved round by round, each call
// finding caches as a request does after other work (the figure held to the target); "scan_warm":
// one prompt scanned back to back, everything in cache (the best case).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "router/privacy_classifier.h"
#include "router/router.h"

namespace {

using fulcrum::router::Finding;
using fulcrum::router::PrivacyClassifier;
using Clock = std::chrono::steady_clock;

// Fixed-seed generator (the prompts are the same on every run).
struct Lcg {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint32_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(s >> 33);
  }
  uint32_t below(uint32_t n) { return next() % n; }
  std::string hex(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += "0123456789abcdef"[below(16)];
    return out;
  }
  std::string uuid() {
    return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
  }
  std::string date() { return fmt::format("2024-{:02}-{:02}", 1 + below(12), 1 + below(28)); }
  std::string version() { return fmt::format("{}.{}.{}", below(5), below(30), below(100)); }
};

std::string prose_paragraph(Lcg& g) {
  static const char* kAsks[] = {
      "Could you summarise what went wrong and propose a fix?",
      "Please draft a polite reply that explains the delay and the refund policy.",
      "What is the most likely root cause, and which logs should we look at next?",
      "Rewrite the following notes as a short status update for the team.",
  };
  return fmt::format(
      "Order #{} placed on {} was shipped in {} parcels; the tracking page shows version {} of "
      "the carrier app and the estimated delivery slipped from {} to {}. The customer paid "
      "EUR {}.{:02} and asked about invoice INV-{}-{}. Ticket {} was reopened {} times. {}\n\n",
      100000 + g.below(900000), g.date(), 1 + g.below(4), g.version(), g.date(), g.date(),
      10 + g.below(900), g.below(100), 2024, 1000 + g.below(9000), g.uuid(), 1 + g.below(5),
      kAsks[g.below(4)]);
}

std::string code_paragraph(Lcg& g) {
  return fmt::format(
      "// build {} ({}), cache key {}\n"
      "static constexpr uint32_t kMagic{} = 0x{};\n"
      "for (size_t i = 0; i < {}; ++i) {{\n"
      "  if (table[i].version < \"{}\") upgrade(table[i], /*retries=*/{});\n"
      "  checksum ^= hash64(table[i].id, {}u);\n"
      "}}\n\n",
      g.version(), g.date(), g.hex(40), g.below(100), g.hex(8), 16 + g.below(4096), g.version(),
      1 + g.below(5), g.below(1u << 20));
}

std::string json_paragraph(Lcg& g) {
  return fmt::format(
      "{{\"id\": \"{}\", \"sku\": \"SKU-{}-{}\", \"qty\": {}, \"price\": {}.{:02}, "
      "\"created_at\": \"{}T{:02}:{:02}:{:02}Z\", \"isbn\": \"978-{}-{}-{}-{}\", "
      "\"sha256\": \"{}\", \"status\": \"shipped\"}},\n",
      g.uuid(), 1000 + g.below(9000), g.below(100), 1 + g.below(20), g.below(500), g.below(100),
      g.date(), g.below(24), g.below(60), g.below(60), g.below(10), 100 + g.below(900),
      10000 + g.below(90000), g.below(10), g.hex(64));
}

std::string log_paragraph(Lcg& g) {
  return fmt::format(
      "{}T{:02}:{:02}:{:02}.{:03}Z INFO  api-gateway[{}]: request_id={} route=/v1/orders/{} "
      "status=200 latency_ms={}.{} bytes={} build={} trace={}\n",
      g.date(), g.below(24), g.below(60), g.below(60), g.below(1000), 1000 + g.below(30000),
      g.uuid(), 100000 + g.below(900000), g.below(900), g.below(10), g.below(100000), g.version(),
      g.hex(32));
}

struct Prompt {
  std::string name;
  std::string text;
  int planted = 0;
};

// Paragraphs of one kind until `bytes`, the planted sentences placed through the text; cut
// at the last newline or space before `bytes` and padded with spaces to exactly `bytes`.
Prompt build(const std::string& name, std::string (*para)(Lcg&), bool planted, size_t bytes) {
  static const char* kPlanted[] = {
      "Please reach me at jane.doe@example.com about it.\n",
      "The card on file is 4111 1111 1111 1111, expiry 12/27.\n",
      "Call me back on +44 20 7946 0958 after five.\n",
      "Refund to IBAN DE89 3704 0044 0532 0130 00 please.\n",
      "The deploy used AKIAIOSFODNN7EXAMPLE as the access key id.\n",
      "Session token: "
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n",
  };
  constexpr int kNumPlanted = sizeof(kPlanted) / sizeof(kPlanted[0]);
  Lcg g;
  Prompt p{name + (planted ? "_planted" : "_clean"), "", planted ? kNumPlanted : 0};
  int next_plant = 0;
  while (p.text.size() < bytes) {
    p.text += para(g);
    // Spread the planted sentences over the first ~90% of the prompt.
    if (planted && next_plant < kNumPlanted &&
        p.text.size() >= bytes * 9 / 10 * next_plant / kNumPlanted)
      p.text += kPlanted[next_plant++];
  }
  size_t cut = p.text.find_last_of("\n ", bytes - 1);
  p.text.resize(cut == std::string::npos ? bytes : cut + 1);
  p.text.resize(bytes, ' ');
  return p;
}

// Percentiles of the per-call wall times of one measured operation.
struct Stats {
  double mean_us = 0, p50_us = 0, p99_us = 0, min_us = 0;
};

Stats summarise(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  Stats s;
  for (double v : us) s.mean_us += v;
  s.mean_us /= static_cast<double>(us.size());
  s.p50_us = us[us.size() / 2];
  s.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  s.min_us = us.front();
  return s;
}

template <typename F>
double time_us(F&& fn) {
  auto t0 = Clock::now();
  fn();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

std::string stats_json(const Stats& s) {
  return fmt::format(
      R"({{"mean_us": {:.2f}, "p50_us": {:.2f}, "p99_us": {:.2f}, "min_us": {:.2f}}})", s.mean_us,
      s.p50_us, s.p99_us, s.min_us);
}

// A router with one virtual model ("auto": an on-premises and a remote target) and the given
// privacy switch; the 4 KB prompt is the user message after a short system prompt.
std::shared_ptr<const fulcrum::router::Router> make_router(bool privacy) {
  fulcrum::router::RouterConfig c;
  c.privacy.enabled = privacy;
  fulcrum::router::VirtualModel m;
  m.name = "auto";
  m.targets.push_back({"local", "qwen2-7b", true, "small", 0});
  m.targets.push_back({"openai", "gpt-4o", false, "large", 0});
  c.models.emplace("auto", std::move(m));
  auto r = fulcrum::router::Router::create(std::move(c));
  if (!r.ok()) {
    std::fprintf(stderr, "router: %s\n", r.error().to_string().c_str());
    std::exit(1);
  }
  return *r;
}

}  // namespace

int main(int argc, char** argv) {
  int iters = 5000;
  size_t bytes = 4096;
  std::string dump_dir;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iters") && i + 1 < argc) {
      iters = std::max(100, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--bytes") && i + 1 < argc) {
      bytes = static_cast<size_t>(std::max(256, std::atoi(argv[++i])));
    } else if (!std::strcmp(argv[i], "--dump-prompts") && i + 1 < argc) {
      dump_dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: privacy_scan_bench [--iters N] [--bytes 4096] [--dump-prompts DIR]\n");
      return 2;
    }
  }
  constexpr double kTargetUs = 50.0;

  std::vector<Prompt> prompts;
  struct Kind {
    const char* name;
    std::string (*para)(Lcg&);
  };
  const Kind kinds[] = {{"prose", prose_paragraph},
                        {"code", code_paragraph},
                        {"json_tool_result", json_paragraph},
                        {"log", log_paragraph}};
  for (const auto& k : kinds) {
    prompts.push_back(build(k.name, k.para, false, bytes));
    prompts.push_back(build(k.name, k.para, true, bytes));
  }

  for (const auto& p : prompts) {
    if (dump_dir.empty()) break;
    std::string path = dump_dir + "/" + p.name + ".txt";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(p.text.data(), 1, p.text.size(), f) != p.text.size()) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    std::fclose(f);
  }

  auto on = make_router(true);
  auto off = make_router(false);
  // The router's own classifier (one set of databases in cache, as in the gateway).
  const PrivacyClassifier* classifier = &on->classifier();
  fulcrum::router::RouteHints hints;

  // Every round times each prompt once (scan, then route with privacy on and off), so load
  // from other processes lands on all prompts alike.
  struct Series {
    std::vector<Finding> found;
    fulcrum::router::RouteInput input;
    std::vector<double> scan, on, off;
  };
  std::vector<Series> series(prompts.size());
  bool findings_ok = true;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const Prompt& p = prompts[i];
    if (auto s = classifier->scan(p.text, 0, &series[i].found); !s.ok()) {
      std::fprintf(stderr, "scan: %s\n", s.error().to_string().c_str());
      return 1;
    }
    // Clean prompts must stay clean; planted ones must show every planted item.
    if (static_cast<int>(series[i].found.size()) != p.planted) findings_ok = false;
    series[i].input.model = "auto";
    series[i].input.segments.push_back(
        {"system", "You are a helpful assistant for an online shop."});
    series[i].input.segments.push_back({"user", p.text});
  }
  std::vector<Finding> sink;
  for (int round = -iters / 20; round < iters; ++round) {  // the first rounds warm up
    for (size_t i = 0; i < prompts.size(); ++i) {
      Series& s = series[i];
      double scan = time_us([&] {
        sink.clear();
        (void)classifier->scan(prompts[i].text, 0, &sink);
      });
      double on_us = time_us([&] { (void)on->route(s.input, hints); });
      double off_us = time_us([&] { (void)off->route(s.input, hints); });
      if (round < 0) continue;
      s.scan.push_back(scan);
      s.on.push_back(on_us);
      s.off.push_back(off_us);
    }
  }

  // Warm: the same prompt scanned back to back (code, databases and text stay in cache).
  std::vector<Stats> warm;
  for (const auto& p : prompts) {
    std::vector<double> us;
    for (int r = -50; r < std::max(200, iters / 5); ++r) {
      double t = time_us([&] {
        sink.clear();
        (void)classifier->scan(p.text, 0, &sink);
      });
      if (r >= 0) us.push_back(t);
    }
    warm.push_back(summarise(std::move(us)));
  }

  std::string rows;
  double worst_p50 = 0, worst_added = 0, worst_warm = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const Prompt& p = prompts[i];
    Stats scan = summarise(series[i].scan), r_on = summarise(series[i].on),
          r_off = summarise(series[i].off);
    worst_warm = std::max(worst_warm, warm[i].p50_us);
    double added = r_on.p50_us - r_off.p50_us;
    worst_p50 = std::max(worst_p50, scan.p50_us);
    worst_added = std::max(worst_added, added);
    std::string kinds_found;
    for (const auto& f : series[i].found)
      kinds_found += (kinds_found.empty() ? "\"" : ", \"") + f.kind + "\"";
    rows += fmt::format(
        "{}    {{\"prompt\": \"{}\", \"bytes\": {}, \"planted\": {}, \"findings\": [{}], "
        "\"scan\": {}, \"scan_warm\": {}, \"route_privacy_on\": {}, \"route_privacy_off\": {}, "
        "\"route_added_p50_us\": {:.2f}, \"scan_mb_per_s_p50\": {:.0f}}}",
        rows.empty() ? "" : ",\n", p.name, p.text.size(), p.planted, kinds_found, stats_json(scan),
        stats_json(warm[i]), stats_json(r_on), stats_json(r_off), added,
        p.text.size() / scan.p50_us);
  }
  double load1 = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load1) != 1) load1 = 0;
    std::fclose(f);
  }
  std::printf(
      "{\n  \"bench\": \"privacy_scan\",\n  \"iters\": %d,\n  \"loadavg_1m\": %.2f,\n"
      "  \"prompts\": [\n%s\n  ],\n"
      "  \"worst_scan_p50_us\": %.2f,\n  \"worst_route_added_p50_us\": %.2f,\n"
      "  \"worst_scan_warm_p50_us\": %.2f,\n"
      "  \"target_us\": %.0f,\n  \"findings_as_planted\": %s,\n  \"target_met\": %s\n}\n",
      iters, load1, rows.c_str(), worst_p50, worst_added, worst_warm, kTargetUs,
      findings_ok ? "true" : "false",
      std::max(worst_p50, worst_added) <= kTargetUs ? "true" : "false");
  return findings_ok ? 0 : 1;
}
