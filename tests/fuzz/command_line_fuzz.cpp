// ParseCommandLine on arbitrary arguments (NUL-separated in the input). Arguments naming
// config.file are dropped: they would open arbitrary paths (config_file_fuzz covers the file).
#include <string>
#include <vector>

#include "cmd/settings/flags.h"
#include "tests/fuzz/config_validity.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = cproc_fuzz::AsText(data, size);
  std::vector<std::string> args;
  while (!rest.empty() && args.size() < 32) {
    const auto nul = rest.find('\0');
    std::string arg(rest.substr(0, nul));
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    if (arg.find("config.file") != std::string::npos) continue;
    args.push_back(std::move(arg));
  }
  auto parsed = cproc::ParseCommandLine(args);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  cproc_fuzz::CheckConfig(parsed->config);
  bool help = false;
  for (const auto& arg : args) help = help || arg == "--help" || arg == "-h";
  FUZZ_CHECK(parsed->help == help);
  (void)cproc::UsageText(args.empty() ? std::string("x") : args.front());
  return 0;
}
