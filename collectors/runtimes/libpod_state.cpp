#include "collectors/runtimes/libpod_state.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <utility>

#include "collectors/base/signals.h"
#include "collectors/runtimes/boltdb.h"

namespace cproc {
namespace {

using nlohmann::json;

// Only the top-level keys asked for are kept: a container's config is several KiB of JSON.
json ParseConfig(std::string_view text, std::initializer_list<std::string_view> keys) {
  const json::parser_callback_t keep = [keys](int depth, json::parse_event_t event, json& parsed) {
    if (depth != 1 || event != json::parse_event_t::key || !parsed.is_string()) return true;
    const auto& key = parsed.get_ref<const std::string&>();
    for (std::string_view wanted : keys) {
      if (key == wanted) return true;
    }
    return false;
  };
  return json::parse(text, keep, /*allow_exceptions=*/false);
}

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void Skip(LibpodState& state, std::string problem) {
  if (state.skipped++ == 0) state.first_problem = std::move(problem);
}

std::string Shown(std::string_view id) {
  return std::string(id.substr(0, 12)) + (id.size() > 12 ? "..." : "");
}

// The "config" of each bucket in `kind` ("ctr" or "pod"), as JSON with `keys`; `use` gets the
// bucket's key, the parsed config and the bucket.
template <typename Use>
Expected<bool> EachConfig(bolt::Reader& db, std::string_view kind,
                          std::initializer_list<std::string_view> keys, LibpodState& state,
                          Use use) {
  auto top = db.Sub(db.root(), kind);
  if (!top) return Error{top.error()};
  if (!top->has_value()) {
    return Error{"no \"" + std::string(kind) + "\" bucket: not libpod's state"};
  }
  const bolt::Bucket parent = **top;
  std::optional<Error> failed;
  auto walked = db.ForEach(parent, [&](const bolt::Item& item) {
    const std::string what = std::string(kind) + " " + Shown(item.key);
    if (!item.is_bucket) {
      Skip(state, what + ": not a bucket");
      return true;
    }
    auto bucket = db.Child(parent, item);
    if (!bucket) {
      failed = Error{bucket.error()};  // the pages do not hold together: nothing is trusted
      return false;
    }
    auto config = db.Get(*bucket, "config");
    if (!config) {
      failed = Error{config.error()};
      return false;
    }
    if (!config->has_value()) {
      Skip(state, what + ": no config");
      return true;
    }
    json parsed = ParseConfig(**config, keys);
    if (parsed.is_discarded() || !parsed.is_object()) {
      Skip(state, what + ": config is not a JSON object");
      return true;
    }
    if (auto done = use(std::string(item.key), parsed, *bucket); !done) {
      failed = Error{done.error()};
      return false;
    }
    return true;
  });
  if (!walked) return Error{walked.error()};
  if (failed) return *failed;
  return true;
}

}  // namespace

Expected<LibpodState> ParseLibpodState(std::string_view bolt_file) {
  auto opened = bolt::Reader::Open(bolt_file);
  if (!opened) return Error{opened.error()};
  bolt::Reader& db = *opened;
  LibpodState state;

  auto pods = EachConfig(db, "pod", {"name"}, state,
                         [&](std::string id, const json& config, const bolt::Bucket&) {
                           state.pod_names[std::move(id)] = StringAt(config, "name");
                           return Expected<bool>(true);
                         });
  if (!pods) return Error{pods.error()};

  auto containers = EachConfig(
      db, "ctr", {"name", "pod", "pause", "stopSignal"}, state,
      [&](std::string id, const json& config, const bolt::Bucket& bucket) -> Expected<bool> {
        LibpodContainer c;
        c.name = StringAt(config, "name");
        c.pod_id = StringAt(config, "pod");
        if (auto pause = config.find("pause"); pause != config.end() && pause->is_boolean()) {
          c.infra = pause->get<bool>();
        }
        if (auto stop = config.find("stopSignal");
            stop != config.end() && stop->is_number_unsigned() &&
            stop->get<uint64_t>() <= static_cast<uint64_t>(kSignalMax)) {
          c.stop_signal = static_cast<int>(stop->get<uint64_t>());
        }
        if (c.pod_id.empty()) {  // older configs: the bucket's own "pod-id"
          auto pod_id = db.Get(bucket, "pod-id");
          if (!pod_id) return Error{pod_id.error()};
          if (pod_id->has_value()) c.pod_id = std::string(**pod_id);
        }
        state.containers[std::move(id)] = std::move(c);
        return true;
      });
  if (!containers) return Error{containers.error()};
  return state;
}

}  // namespace cproc
