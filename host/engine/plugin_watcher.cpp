#include "engine/plugin_watcher.hpp"

#include <sys/inotify.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace tradehost::engine {
namespace {

int open_inotify() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1 (watching plugin files for hot reload)");
  return fd;
}

}  // namespace

PluginWatcher::PluginWatcher(boost::asio::io_context& io, std::chrono::milliseconds settle, OnChange on_change)
    : fd_(io, open_inotify()), settle_timer_(io), settle_(settle), on_change_(std::move(on_change)) {
  read();
}

PluginWatcher::~PluginWatcher() { close(); }

void PluginWatcher::close() noexcept {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  settle_timer_.cancel();
  fd_.cancel(ec);
  fd_.close(ec);
}

void PluginWatcher::watch(const std::filesystem::path& file) {
  const std::filesystem::path dir = file.parent_path();
  const int wd = ::inotify_add_watch(fd_.native_handle(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
  if (wd < 0) throw std::system_error(errno, std::generic_category(), "cannot watch " + dir.string() + " for plugin changes");
  dirs_[wd] = dir;
  files_.insert(file);
}

void PluginWatcher::read() {
  fd_.async_read_some(boost::asio::buffer(buf_), [this](const boost::system::error_code& ec, size_t n) {
    if (ec || closed_) {
      if (ec && ec != boost::asio::error::operation_aborted) spdlog::warn("plugin watcher stopped: {}", ec.message());
      return;
    }
    on_bytes(n);
    read();
  });
}

void PluginWatcher::on_bytes(size_t n) {
  bool relevant = false;
  // inotify(7): the buffer holds whole records, each a struct inotify_event followed by `len`
  // bytes of NUL-padded name.
  for (size_t off = 0; off + sizeof(inotify_event) <= n;) {
    inotify_event ev;
    std::memcpy(&ev, buf_ + off, sizeof ev);
    const char* name = buf_ + off + sizeof(inotify_event);
    off += sizeof(inotify_event) + ev.len;
    if (ev.mask & IN_Q_OVERFLOW) {  // events were lost: treat every watched file as changed
      changed_.insert(files_.begin(), files_.end());
      relevant = true;
      continue;
    }
    auto dir = dirs_.find(ev.wd);
    if (dir == dirs_.end() || ev.len == 0) continue;
    const std::filesystem::path file = dir->second / std::string(name, ::strnlen(name, ev.len));
    if (files_.count(file)) {
      changed_.insert(file);
      relevant = true;
    }
  }
  if (!relevant) return;
  settle_timer_.expires_after(settle_);
  settle_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || closed_ || changed_.empty()) return;
    std::vector<std::filesystem::path> changed(changed_.begin(), changed_.end());
    changed_.clear();
    on_change_(changed);
  });
}

}  // namespace tradehost::engine
