#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <system_error>

namespace tradehost::report {

namespace {

[[noreturn]] void throw_errno(int err, std::string_view what, const std::filesystem::path& p) {
  throw std::system_error(err, std::generic_category(), fmt::format("{} '{}'", what, p.string()));
}

// Closes the descriptor and removes the temporary file unless release()d.
class TempFile {
 public:
  TempFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  void close_or_throw() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_errno(errno, "close", path_);
  }
  void release() { released_ = true; }

 private:
  std::filesystem::path path_;
  int fd_;
  bool released_ = false;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content, ::mode_t mode) {
  // pid + counter: two writers (processes or threads) never share a temporary name.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}-{}", ::getpid(), counter.fetch_add(1));

  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw_errno(errno, "open", tmp);
  TempFile file(tmp, fd);

  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(file.fd(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "write", tmp);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(file.fd()) != 0) throw_errno(errno, "fsync", tmp);
  file.close_or_throw();
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno(errno, "rename to", path);
  file.release();

  // Best effort: some filesystems refuse fsync on a directory; the data is already in place.
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace tradehost::report
