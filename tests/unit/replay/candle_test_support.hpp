// Test helpers for unit_replay: throwaway candle files and an error-message assertion.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

#include "plugins/connector/replay/candle_reader.hpp"

namespace tradehost::replay::test {

// A file with the given bytes in a per-process temporary directory, removed on destruction.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    static const std::filesystem::path dir = [] {
      auto d = std::filesystem::temp_directory_path() /
               ("tradehost_unit_replay_" + std::to_string(std::random_device{}()));
      std::filesystem::create_directories(d);
      return d;
    }();
    static int counter = 0;
    path = (dir / (std::to_string(++counter) + "_" + name)).string();
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path;
};

// Succeeds when read_candles throws a CandleError whose message starts with `where` + ':'
// (so "f.csv:3" matches "f.csv:3: ..." and "f.json:3" matches "f.json:3:7: ...") and contains
// every one of `parts`.
inline ::testing::AssertionResult Fails(const std::string& path, const ReadOptions& options, const std::string& where,
                                        std::initializer_list<std::string_view> parts) {
  std::string message;
  try {
    read_candles(path, options);
    return ::testing::AssertionFailure() << "no error reading " << path;
  } catch (const CandleError& e) {
    message = e.what();
  }
  if (message.rfind(where + ":", 0) != 0) {
    return ::testing::AssertionFailure() << "message does not start with \"" << where << ":\": " << message;
  }
  for (std::string_view part : parts) {
    if (message.find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "message lacks \"" << part << "\": " << message;
    }
  }
  return ::testing::AssertionSuccess() << message;
}

}  // namespace tradehost::replay::test
