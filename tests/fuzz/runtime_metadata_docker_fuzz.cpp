// ParseDockerMetadata on arbitrary config.v2.json and hostconfig.json (files in Docker's data-root
// that whoever creates a container controls: names, labels, modes). Input: config.v2.json, a NUL,
// hostconfig.json (no NUL: hostconfig.json is empty, as when it cannot be read); valid JSON text
// never holds a raw NUL, so the split loses nothing.
#include <nlohmann/json.hpp>

#include <string>

#include "collectors/runtimes/runtime_metadata.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/runtime_metadata_check.h"

using cproc::ContainerMetadata;
using cproc::NsKind;
using nlohmann::json;

namespace {

int8_t Declared(const ContainerMetadata& m, NsKind kind) {
  return m.declared_host[static_cast<std::size_t>(kind)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = cproc_fuzz::AsText(data, size);
  const std::size_t nul = input.find('\0');
  const std::string_view config = input.substr(0, nul);
  const std::string_view hostconfig =
      nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);

  const auto parsed = cproc::ParseDockerMetadata(config, hostconfig);
  const auto names_only = cproc::ParseDockerMetadata(config, "");
  if (!names_only) {
    // A bad config.v2.json fails whatever hostconfig.json says, and the error names the file.
    FUZZ_CHECK(!parsed);
    FUZZ_CHECK(names_only.error().find("config.v2.json") != std::string::npos);
    return 0;
  }
  // Without hostconfig.json nothing is declared.
  for (const int8_t declared : names_only->declared_host) FUZZ_CHECK(declared == -1);
  if (!parsed) {
    FUZZ_CHECK(!hostconfig.empty());
    FUZZ_CHECK(parsed.error().find("hostconfig.json") != std::string::npos);
    return 0;
  }
  const ContainerMetadata& m = *parsed;
  // hostconfig.json only declares namespaces: names, image and pod come from config.v2.json.
  ContainerMetadata names = m;
  names.declared_host = names_only->declared_host;
  FUZZ_CHECK(cproc_fuzz::SameMetadata(names, *names_only));
  if (m.sandbox) FUZZ_CHECK(m.name == "POD");
  if (!hostconfig.empty()) {
    // Docker always gives its own mounts; the four modes are always declared; time never.
    FUZZ_CHECK(Declared(m, NsKind::kMnt) == 0);
    for (const NsKind kind : {NsKind::kPid, NsKind::kNet, NsKind::kIpc, NsKind::kUts}) {
      FUZZ_CHECK(Declared(m, kind) == 0 || Declared(m, kind) == 1);
    }
    FUZZ_CHECK(Declared(m, NsKind::kTime) == -1);
    FUZZ_CHECK(Declared(m, NsKind::kUser) != 0);  // "" is the daemon's default: undeclared
  }

  // A function of the JSON values, not of their spelling: re-serialised, the same metadata.
  const json config_value = json::parse(config, nullptr, false);
  const json host_value = hostconfig.empty() ? json() : json::parse(hostconfig, nullptr, false);
  FUZZ_CHECK(config_value.is_object());
  const auto again =
      cproc::ParseDockerMetadata(config_value.dump(), hostconfig.empty() ? "" : host_value.dump());
  FUZZ_CHECK(again.ok() && cproc_fuzz::SameMetadata(*again, m));

  // A declared mode changes its kind and nothing else.
  if (!hostconfig.empty()) {
    json host_pid = host_value;
    host_pid["PidMode"] = "host";
    const auto shared = cproc::ParseDockerMetadata(config, host_pid.dump());
    FUZZ_CHECK(shared.ok());
    ContainerMetadata expected = m;
    expected.declared_host[static_cast<std::size_t>(NsKind::kPid)] = 1;
    FUZZ_CHECK(cproc_fuzz::SameMetadata(*shared, expected));
  }

  cproc_fuzz::CheckMetadata(m, "docker");
  return 0;
}
