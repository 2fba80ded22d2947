#include "core/file_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace fulcrum {

Result<std::string> read_file(const std::string& path) {
  FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!raw)
    return Error(ErrorCode::kIo, std::string("cannot open: ") + std::strerror(errno))
        .with_file(path);
  std::unique_ptr<FILE, int (*)(FILE*)> f(raw,
                                          path == "-" ? +[](FILE*) { return 0; } : &std::fclose);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
  if (std::ferror(f.get())) return Error(ErrorCode::kIo, "read failed").with_file(path);
  return out;
}

Status write_file(const std::string& path, std::string_view bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f)
    return Error(ErrorCode::kIo, std::string("cannot create: ") + std::strerror(errno))
        .with_file(path);
  if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    return Error(ErrorCode::kIo, "write failed").with_file(path);
  return {};
}

}  // namespace fulcrum
