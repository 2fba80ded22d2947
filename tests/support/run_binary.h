// Runs a program (by default the fulcrum binary) with arguments, optional standard input, and
// captures its standard output, standard error and exit code. No shell: arguments are passed as
// they are, so any bytes can be given. For CLI contract tests.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/testdata.h"

namespace fulcrum::testing {

struct RunResult {
  int exit_code = -1;  // -1: did not run or did not exit normally
  std::string out;
  std::string err;
};

// A file under the system temporary folder, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& contents, const std::string& suffix = "") {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() / ("fulcrum_test_" + std::to_string(getpid()) +
                                                       "_" + std::to_string(counter++) + suffix))
                .string();
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `program args...` with stdin_bytes on its standard input.
inline RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const std::string& stdin_bytes = "") {
  RunResult r;
  TempFile in(stdin_bytes), out(""), err("");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return r;
  if (pid == 0) {
    int fi = open(in.path().c_str(), O_RDONLY);
    int fo = open(out.path().c_str(), O_WRONLY | O_TRUNC);
    int fe = open(err.path().c_str(), O_WRONLY | O_TRUNC);
    if (fi < 0 || fo < 0 || fe < 0) _exit(127);
    dup2(fi, 0);
    dup2(fo, 1);
    dup2(fe, 2);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return r;
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = read_all(out.path());
  r.err = read_all(err.path());
  return r;
}

// Runs the fulcrum binary built with the tests.
inline RunResult run_fulcrum(const std::vector<std::string>& args,
                             const std::string& stdin_bytes = "") {
  return run_program(fulcrum_binary(), args, stdin_bytes);
}

}  // namespace fulcrum::testing
