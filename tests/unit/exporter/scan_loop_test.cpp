// ScanLoop on its own thread over a fixture procfs, with readers and a reloader on other threads:
// what scrapes and SIGHUP do to it in the exporter. Meant to run under TSan too (build-tsan):
// every cross-thread access goes through LatestExposition/LatestSnapshot/Reconfigure/
// SetReloadStatus/RunOnce, and the assertions are on what the readers saw.
#include "exporter/scan_loop.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collectors/scan/scanner.h"
#include "tests/support/fixture_procfs.h"

namespace cproc {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::ContainerNs;
using testing::FixtureProcfs;
using testing::HostNs;

const std::string kA = std::string(64, 'a');
const std::string kB = std::string(64, 'b');
const std::string kC = std::string(64, 'c');

void AddContainer(const FixtureProcfs& fs, int pid, const std::string& id, uint64_t ns_base) {
  fs.Stat(pid, "sleep", 'S', 1, 1000 + static_cast<uint64_t>(pid));
  fs.Cgroup(pid, "0::/docker/" + id + "\n");
  fs.Namespaces(pid, ContainerNs(ns_base));
}

// A host with two Docker containers; A is named "db" by its config.v2.json under the fixture's
// rootfs, so the scan thread also goes through the metadata store.
void BuildHost(const FixtureProcfs& fs) {
  fs.Stat(1, "systemd", 'S', 0, 1);
  fs.Cgroup(1, "0::/init.scope\n");
  fs.Namespaces(1, HostNs());
  fs.Stat(2, "kthreadd", 'S', 0, 1);
  fs.Cgroup(2, "0::/\n");
  fs.Namespaces(2, HostNs());
  AddContainer(fs, 3050, kA, 5000);
  AddContainer(fs, 4000, kB, 6000);
  fs.Write("sys/kernel/pid_max", "4194304");
  fs.Write("rootfs/var/lib/docker/containers/" + kA + "/config.v2.json",
           R"({"Name":"/db","Config":{"Image":"busybox","Labels":{}}})");
}

std::unique_ptr<Scanner> FixtureScanner(const FixtureProcfs& fs) {
  ScannerOptions options;
  options.procfs = fs.root();
  options.sysfs = fs.root() + "/no-sysfs";  // no pids controller: nothing of the host's is read
  options.metadata.rootfs = fs.root() + "/rootfs";
  options.metadata.bundle_roots.clear();
  options.metadata.storage_roots.clear();
  return std::make_unique<Scanner>(std::move(options));
}

// The value of an unlabelled sample ("name value") in an exposition, if present.
std::optional<double> Sample(std::string_view text, const std::string& name) {
  const std::string line = "\n" + name + " ";
  const std::size_t at = text.find(line);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(std::string(text.substr(at + line.size(), 64)));
}

// The value of the first series whose line starts with `prefix` (name and leading labels).
std::optional<double> SeriesValue(std::string_view text, const std::string& prefix) {
  const std::size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t end = text.find('\n', at + 1);
  const std::size_t space = text.rfind(' ', end);
  return std::stod(std::string(text.substr(space + 1, end - space - 1)));
}

bool Contains(std::string_view text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("scan loop: RunOnce before Start publishes a scan and counts it") {
  FixtureProcfs fs;
  BuildHost(fs);
  ScanLoop loop(FixtureScanner(fs), milliseconds(10));
  CHECK(loop.LatestExposition() == nullptr);  // before the first scan: /metrics answers 503
  CHECK(loop.LatestSnapshot() == nullptr);
  loop.RunOnce();
  const auto first = loop.LatestExposition();
  REQUIRE(first != nullptr);
  REQUIRE(loop.LatestSnapshot() != nullptr);
  CHECK(loop.LatestSnapshot()->containers.size() == 2);
  CHECK(Sample(first->text(), "cproc_scans_total") == 0.0);  // up to the previous scan
  CHECK(Contains(first->text(), "container_id=\"docker://" + kA + "\""));
  CHECK(Contains(first->text(), "container=\"db\""));
  loop.RunOnce();
  CHECK(Sample(loop.LatestExposition()->text(), "cproc_scans_total") == 1.0);
  CHECK(loop.LatestExposition() != first);  // a new exposition per scan, the old one intact
  CHECK(Contains(first->text(), "cproc_scans_total 0"));
}

TEST_CASE("scan loop: scans on its thread while readers, a reloader and RunOnce run") {
  FixtureProcfs fs;
  BuildHost(fs);
  ScanLoop loop(FixtureScanner(fs), milliseconds(10));
  loop.Start();
  std::shared_ptr<const Exposition> first;
  for (int i = 0; i < 2000 && first == nullptr; ++i) {
    first = loop.LatestExposition();
    if (first == nullptr) std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(first != nullptr);

  constexpr double kScans = 40;  // bounded: the test ends after this many scans or the deadline
  const auto deadline = steady_clock::now() + std::chrono::seconds(30);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad_reads{0}, distinct_expositions{0};

  // Readers, as scrapes: the latest exposition and snapshot, the JSON rendered on first ask.
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      const Exposition* last = nullptr;
      while (!done.load() && steady_clock::now() < deadline) {
        const auto exposition = loop.LatestExposition();
        const auto snapshot = loop.LatestSnapshot();
        if (exposition == nullptr || snapshot == nullptr) continue;
        ++reads;
        if (exposition.get() != last) {
          last = exposition.get();
          if (r == 0) ++distinct_expositions;
        }
        const std::string_view text = exposition->text();
        if (!Contains(text, "docker://" + kA) || !Contains(text, "docker://" + kB) ||
            exposition->gzip().empty() || snapshot->containers.size() < 2) {
          ++bad_reads;
        }
        if (r % 2 == 0 && !Contains(exposition->containers_json(), "docker://" + kA)) ++bad_reads;
      }
    });
  }
  // The reloader, as SIGHUP: the interval, the allowlist and the reload status.
  std::thread reloader([&] {
    for (int i = 0; !done.load() && steady_clock::now() < deadline; ++i) {
      loop.Reconfigure(milliseconds(i % 2 == 0 ? 10 : 15),
                       FamilyOptions{.namespace_sharing_allow = {i % 2 == 0 ? "db" : "nothing"}});
      loop.SetReloadStatus(i % 3 != 0, 1000.0 + i);
      std::this_thread::sleep_for(milliseconds(3));
    }
    loop.Reconfigure(milliseconds(10), FamilyOptions{.namespace_sharing_allow = {"db"}});
    loop.SetReloadStatus(true, 5000);
  });

  // Meanwhile the host changes: a third container starts, on the main thread, and a scan is
  // forced from here too, concurrently with the loop's own.
  double scans = 0;
  bool added = false;
  while (steady_clock::now() < deadline) {
    const auto exposition = loop.LatestExposition();
    if (exposition != nullptr) scans = Sample(exposition->text(), "cproc_scans_total").value_or(0);
    if (!added && scans >= kScans / 2) {
      AddContainer(fs, 5000, kC, 7000);
      loop.RunOnce();
      added = true;
    }
    if (scans >= kScans) break;
    std::this_thread::sleep_for(milliseconds(1));
  }
  done = true;
  reloader.join();
  for (std::thread& t : readers) t.join();

  CHECK(scans >= kScans);  // else the deadline ended it: the loop stalled
  CHECK(reads.load() > 0);
  CHECK(bad_reads.load() == 0);
  CHECK(distinct_expositions.load() > 1);  // the readers saw the exposition change

  // The reloader's last word and the new container reach the next scans.
  bool settled = false;
  std::shared_ptr<const Exposition> last;
  for (int i = 0; i < 2000 && !settled; ++i) {
    last = loop.LatestExposition();
    settled =
        Contains(last->text(), "docker://" + kC) &&
        Sample(last->text(), "cproc_config_last_reload_success_timestamp_seconds") == 5000.0 &&
        Sample(last->text(), "cproc_config_last_reload_successful") == 1.0;
    if (!settled) std::this_thread::sleep_for(milliseconds(5));
  }
  CHECK(settled);
  // The last allowlist, {"db"}: A is allowed, B is not.
  const std::string allowed = "cproc_container_namespace_sharing_allowed{container_id=\"docker://";
  CHECK(SeriesValue(last->text(), allowed + kA) == 1.0);
  CHECK(SeriesValue(last->text(), allowed + kB) == 0.0);
  CHECK(loop.LatestSnapshot()->containers.size() == 3);
  CHECK(last->text() != first->text());  // the scan's own numbers at least
  CHECK_FALSE(Contains(first->text(), "docker://" + kC));

  // Stop wakes the thread from its wait: with a one-hour interval it must not sleep it out.
  loop.Reconfigure(std::chrono::hours(1), {});
  const double before = scans;
  for (int i = 0; i < 2000; ++i) {  // the reconfigure wakes it for one more scan, then it waits
    if (Sample(loop.LatestExposition()->text(), "cproc_scans_total") > before) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  const auto stop_start = steady_clock::now();
  loop.Stop();
  CHECK(steady_clock::now() - stop_start < std::chrono::seconds(2));
  const auto after_stop = loop.LatestExposition();
  std::this_thread::sleep_for(milliseconds(50));
  CHECK(loop.LatestExposition() == after_stop);  // no scan after Stop
  loop.Stop();                                   // twice is harmless (and the destructor again)
}

TEST_CASE("scan loop: a failing procfs keeps the last good scan with cproc_scan_success 0") {
  auto fs = std::make_unique<FixtureProcfs>();
  BuildHost(*fs);
  ScanLoop loop(FixtureScanner(*fs), milliseconds(10));
  loop.RunOnce();
  REQUIRE(loop.LatestExposition() != nullptr);
  CHECK(Sample(loop.LatestExposition()->text(), "cproc_scan_success") == 1.0);
  fs.reset();  // procfs gone
  loop.Start();
  bool failed = false;
  for (int i = 0; i < 2000 && !failed; ++i) {
    failed = Sample(loop.LatestExposition()->text(), "cproc_scan_success") == 0.0;
    if (!failed) std::this_thread::sleep_for(milliseconds(5));
  }
  CHECK(failed);
  CHECK(Contains(loop.LatestExposition()->text(), "docker://" + kA));  // the last good scan
  loop.Stop();
}

}  // namespace cproc
