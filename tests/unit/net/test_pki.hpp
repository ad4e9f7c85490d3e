// Certificates made in the test process with the OpenSSL API: a CA and server certificates it
// signs, as PEM text. Nothing is checked in and no openssl command runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tradehost::net::test {

struct TestCa {
  std::string cert_pem;
  std::string key_pem;
};

struct ServerCert {
  std::string cert_pem;  // the leaf only; the CA is not sent, as real servers rarely send roots
  std::string key_pem;
};

/// A self-signed CA (P-256, SHA-256, valid from an hour ago for a day).
TestCa make_test_ca(const std::string& name);

/// A server certificate signed by `ca` for the given DNS names (subjectAltName; CN = first).
ServerCert make_server_cert(const TestCa& ca, const std::vector<std::string>& dns_names);

/// A file in the system temp directory removed on destruction (the HTTP client takes a CA file).
class TempFile {
 public:
  explicit TempFile(const std::string& contents);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tradehost::net::test
