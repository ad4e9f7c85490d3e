#pragma once
// Whole-file replacement that readers never see half-written.

#include <filesystem>
#include <string_view>

namespace tradehost::report {

/// Writes `content` to a temporary file next to `path` (same directory, so same filesystem),
/// fsyncs it, renames it over `path` (atomic on POSIX), then fsyncs the directory so the rename
/// survives a crash. A reader sees either the old file or the whole new one, never a prefix.
/// The parent directory must exist. Throws std::system_error (with the path and errno) on
/// failure; the temporary file is removed then.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace tradehost::report
