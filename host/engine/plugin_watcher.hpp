// Watches plugin library files for replacement (Linux inotify on their directories), on the
// host loop: the hot-reload trigger of paper mode.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace tradehost::engine {

/// Reports library files that were replaced, once the writes have settled.
///
/// What counts as a replacement: a file of that name was closed after writing (IN_CLOSE_WRITE:
/// `cp`, a linker writing in place) or renamed onto the name (IN_MOVED_TO: `install`, `mv`, an
/// atomic rename). The directory is watched, not the file, so a rename that swaps the inode is
/// seen. Debounce: every event restarts a `settle` timer and the changed set is reported when it
/// expires, so a build that writes, strips and re-links the same file in quick succession gives
/// one report, and a half-written file is not reported while writes keep coming.
///
/// Threading: everything runs on the io_context's (loop) thread; the callback too.
class PluginWatcher {
 public:
  using OnChange = std::function<void(const std::vector<std::filesystem::path>& changed)>;

  /// Throws std::system_error when inotify is unavailable (inotify_init1 fails).
  PluginWatcher(boost::asio::io_context& io, std::chrono::milliseconds settle, OnChange on_change);
  ~PluginWatcher();
  PluginWatcher(const PluginWatcher&) = delete;
  PluginWatcher& operator=(const PluginWatcher&) = delete;

  /// Adds a file (absolute path) to watch. Throws std::system_error when its directory cannot
  /// be watched (missing, no permission, inotify watch limit).
  void watch(const std::filesystem::path& file);

  /// Stops watching and cancels pending reads and the settle timer; no callback after it.
  void close() noexcept;

 private:
  void read();
  void on_bytes(size_t n);

  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer settle_timer_;
  std::chrono::milliseconds settle_;
  OnChange on_change_;
  std::map<int, std::filesystem::path> dirs_;      // watch descriptor -> directory
  std::set<std::filesystem::path> files_;          // watched files
  std::set<std::filesystem::path> changed_;        // seen since the last report
  alignas(8) char buf_[16384];
  bool closed_ = false;
};

}  // namespace tradehost::engine
