// ParseOciConfig on arbitrary OCI bundle config.json (containerd, CRI-O, Podman, nerdctl): its
// annotations carry names that pod authors choose, linux.namespaces the declared sharing.
#include <nlohmann/json.hpp>

#include <string>

#include "collectors/runtimes/runtime_metadata.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/runtime_metadata_check.h"

using cproc::ContainerMetadata;
using cproc::NsKind;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view config = cproc_fuzz::AsText(data, size);
  const auto parsed = cproc::ParseOciConfig(config);
  const json value = json::parse(config, nullptr, false);
  if (!parsed) {
    // Refused exactly when it is not a JSON object, and the error names the file.
    FUZZ_CHECK(value.is_discarded() || !value.is_object());
    FUZZ_CHECK(parsed.error().find("config.json") != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(value.is_object());
  const ContainerMetadata& m = *parsed;
  if (m.sandbox) FUZZ_CHECK(!m.name.empty());  // a sandbox is named, "POD" at least

  // linux.namespaces declares every kind (listed: own or joined; absent: the host's) or none.
  const bool has_namespaces = value.contains("linux") && value["linux"].is_object() &&
                              value["linux"].contains("namespaces") &&
                              value["linux"]["namespaces"].is_array();
  for (const int8_t declared : m.declared_host) {
    FUZZ_CHECK(has_namespaces ? (declared == 0 || declared == 1) : declared == -1);
  }

  // A function of the JSON value, not of its spelling: re-serialised, the same metadata.
  const auto again = cproc::ParseOciConfig(value.dump());
  FUZZ_CHECK(again.ok() && cproc_fuzz::SameMetadata(*again, m));

  // One more namespace entry changes its kind and nothing else: a new one is not the host's,
  // one joined through PID 1's link is.
  if (has_namespaces) {
    for (const bool host : {false, true}) {
      json more = value;
      json entry = {{"type", "network"}};
      if (host) entry["path"] = "/proc/1/ns/net";
      more["linux"]["namespaces"].push_back(entry);
      const auto changed = cproc::ParseOciConfig(more.dump());
      FUZZ_CHECK(changed.ok());
      ContainerMetadata expected = m;
      expected.declared_host[static_cast<std::size_t>(NsKind::kNet)] = host ? 1 : 0;
      FUZZ_CHECK(cproc_fuzz::SameMetadata(*changed, expected));
    }
  }
  // containerd's container-name annotation names it, whatever else is there.
  if (!value.contains("annotations") || value["annotations"].is_object()) {
    json named = value;
    named["annotations"]["io.kubernetes.cri.container-name"] = "fuzz";
    const auto renamed = cproc::ParseOciConfig(named.dump());
    FUZZ_CHECK(renamed.ok() && renamed->name == "fuzz");
  }

  cproc_fuzz::CheckMetadata(m, "containerd");
  return 0;
}
