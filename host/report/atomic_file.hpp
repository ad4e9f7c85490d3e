#pragma once
// Whole-file replacement that readers never see half-written.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace tradehost::report {

/// Writes `content` to a temporary file next to `path` (same directory, so same filesystem),
/// fsyncs it, renames it over `path` (atomic on POSIX), then fsyncs the directory so the rename
/// survives a crash. A reader sees either the old file or the whole new one, never a prefix.
/// The parent directory must exist. `mode` is the permission of the temporary file from its
/// creation (so content that must stay private, such as the credential store at 0600, is never on
/// disk with wider bits), before the umask. Throws std::system_error (with the path and errno) on
/// failure; the temporary file is removed then.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, ::mode_t mode = 0644);

}  // namespace tradehost::report
