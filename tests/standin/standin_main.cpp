// fulcrum_standin: the stand-in upstream as a program, for end-to-end tests.
//
//   fulcrum_standin [--host 127.0.0.1] [--port 0] [--fixtures DIR]
//
// Prints the port it listens on as the first line of stdout ("PORT\n"), then serves until
// SIGTERM or SIGINT. Default fixtures: tests/standin/fixtures of the source tree.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "tests/standin/standin_server.h"

int main(int argc, char** argv) {
  fulcrum::standin::StandinOptions opt;
#ifdef FULCRUM_SOURCE_DIR
  opt.fixtures_dir = std::string(FULCRUM_SOURCE_DIR) + "/tests/standin/fixtures";
#endif
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--host" && has_value) {
      opt.host = argv[++i];
    } else if (a == "--port" && has_value) {
      opt.port = std::atoi(argv[++i]);
    } else if (a == "--fixtures" && has_value) {
      opt.fixtures_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: fulcrum_standin [--host H] [--port N] [--fixtures DIR]\n");
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before threads start, so they inherit it
  auto server = fulcrum::standin::StandinServer::start(opt);
  if (!server.ok()) {
    std::fprintf(stderr, "fulcrum_standin: %s\n", server.error().to_string().c_str());
    return 1;
  }
  std::printf("%d\n", (*server)->port());
  std::fflush(stdout);
  std::fprintf(stderr, "fulcrum_standin: %zu fixtures, listening on %s\n",
               (*server)->fixture_count(), (*server)->base_url().c_str());
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
