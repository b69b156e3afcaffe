#include "exporter/report/container_report.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/support/make_process.h"

using namespace cproc;

namespace {

Snapshot Example() {
  Snapshot s;
  Container c;
  c.runtime = "docker";
  c.id = std::string(64, 'a');
  c.name = "web";
  c.init = InitProcess{.pid = 10,
                       .comm = "sleep",
                       .init = "none",
                       .is_namespace_init = true,
                       .handles_sigterm = false,
                       .stop_signal = 10,
                       .handles_stop_signal = true,
                       .start_time_seconds = 1.5};
  c.processes[static_cast<std::size_t>(ProcessState::kSleeping)] = 2;
  c.processes[static_cast<std::size_t>(ProcessState::kZombie)] = 1;
  c.sharing.host.fill(0);
  c.sharing.peers_known.fill(true);
  c.sharing.host[static_cast<std::size_t>(NsKind::kPid)] = 1;
  c.sharing.peers[static_cast<std::size_t>(NsKind::kNet)] = 2;
  c.pids.current = 3;
  c.pids.limit = 50;
  s.containers.push_back(c);
  Container other = c;
  other.id = std::string(64, 'b');
  other.name = "evil\nname";
  other.init = InitProcess{};
  s.containers.push_back(other);
  auto add = [&](int32_t pid, int32_t ppid, int32_t container, char state, const char* comm,
                 uint64_t start) {
    s.processes.push_back(cproc::testing::MakeProcess(pid, ppid, container, start, state, comm));
  };
  add(5, 1, kNoContainer, 'S', "shim", 1);
  add(8, 5, 0, 'S', "sh", 900);  // docker exec, started later than the init
  add(10, 5, 0, 'S', "sleep", 100);
  add(11, 10, 0, 'Z', "sleep", 110);
  return s;
}

}  // namespace

TEST_CASE("report: the table shows counts, PID 1, namespace flags and pids usage") {
  const std::string table = RenderContainerTable(Example());
  CHECK(table.find("CONTAINER") == 0);
  CHECK(table.find("web") != std::string::npos);
  CHECK(table.find("aaaaaaaaaaaa") != std::string::npos);
  CHECK(table.find("3/50") != std::string::npos);
  CHECK(table.find("net:2") != std::string::npos);
  CHECK(table.find(" pid ") != std::string::npos);
  CHECK(table.find("evil?name") != std::string::npos);  // no raw newline from a name
  CHECK(table.find("2 containers") != std::string::npos);
}

TEST_CASE("report: what could not be determined shows as '?', never as '-' (none)") {
  Snapshot s = Example();
  Container& c = s.containers[0];
  c.sharing.host.fill(-1);  // links unreadable: no CAP_SYS_PTRACE, or not root
  c.sharing.peers_known.fill(false);
  c.sharing.peers.fill(0);
  std::string table = RenderContainerTable(s);
  std::string row = table.substr(table.find("web"));
  row = row.substr(0, row.find('\n'));
  CHECK(row.find(" ?  ") != std::string::npos);
  CHECK(row.find(" - ") == std::string::npos);
  c.sharing.host[static_cast<std::size_t>(NsKind::kPid)] = 1;
  c.sharing.peers_known[static_cast<std::size_t>(NsKind::kNet)] = true;
  c.sharing.peers[static_cast<std::size_t>(NsKind::kNet)] = 1;
  table = RenderContainerTable(s);
  CHECK(table.find("pid,?") != std::string::npos);
  CHECK(table.find("net:1,?") != std::string::npos);
  const std::string json = RenderContainersJson(s);
  // Only the kind that was counted; the others are left out, not 0.
  const std::size_t peers = json.find("\"namespace_peers\": {");
  REQUIRE(peers != std::string::npos);
  const std::string object = json.substr(peers, json.find('}', peers) - peers);
  CHECK(object.find("\"net\": 1") != std::string::npos);
  CHECK(object.find("\"pid\"") == std::string::npos);
}

TEST_CASE("report: C0, DEL and C1 controls in names never reach the terminal") {
  Snapshot snapshot = Example();
  // ESC [ 2 J (clear screen), a C1 CSI (U+009B) with its arguments, DEL, and a valid "é".
  snapshot.containers[1].name =
      "a\x1b[2Jb\xC2\x9B"
      "31mc\x7f"
      "d\xC3\xA9";
  const std::string table = RenderContainerTable(snapshot);
  CHECK(table.find("a?[2Jb?31mc?d\xC3\xA9") != std::string::npos);
  CHECK(table.find('\x1b') == std::string::npos);
  CHECK(table.find("\xC2\x9B") == std::string::npos);
}

TEST_CASE("report: the tree nests children, marks zombies and the init, init first") {
  const Snapshot s = Example();
  const std::string tree =
      RenderContainerTrees(s, {0}, [](int32_t pid) { return pid == 10 ? 1 : pid - 5; });
  const auto init = tree.find("  10 [1] S sleep  (init)");
  const auto zombie = tree.find("    11 [6] Z sleep <defunct>");
  const auto exec = tree.find("  8 [3] S sh");
  REQUIRE(init != std::string::npos);
  REQUIRE(zombie != std::string::npos);
  REQUIRE(exec != std::string::npos);
  CHECK(init < zombie);
  CHECK(zombie < exec);
  CHECK(tree.find("shim") == std::string::npos);  // host processes are not in a container tree
  CHECK(tree.find("bbbbbbbb") == std::string::npos);
}

TEST_CASE("report: JSON carries the same facts and can be filtered") {
  const auto document = nlohmann::json::parse(RenderContainersJson(Example()));
  REQUIRE(document["containers"].size() == 2);
  const auto& web = document["containers"][0];
  CHECK(web["name"] == "web");
  CHECK(web["container_id"] == "docker://" + std::string(64, 'a'));
  CHECK(web["processes"]["zombie"] == 1);
  CHECK(web["pid1"]["host_pid"] == 10);
  CHECK(web["pid1"]["handles_sigterm"] == false);
  CHECK(web["pid1"]["stop_signal"] == "SIGUSR1");
  CHECK(web["pid1"]["handles_stop_signal"] == true);
  CHECK(web["host_namespaces"]["pid"] == true);
  CHECK(web["pids"]["limit"] == 50);
  CHECK_FALSE(document["containers"][1].contains("pid1"));
  CHECK(document["containers"][1]["name"] == "evil\xEF\xBF\xBDname");  // as in labels
  const auto filtered = nlohmann::json::parse(RenderContainersJson(Example(), {1}));
  CHECK(filtered["containers"].size() == 1);
}

TEST_CASE("report: containers by name, id or container_id, else by name or id prefix") {
  Snapshot s = Example();
  CHECK(FindContainers(s, "web") == std::vector<std::size_t>{0});
  CHECK(FindContainers(s, "bbbb") == std::vector<std::size_t>{1});
  CHECK(FindContainers(s, "b") == std::vector<std::size_t>{1});   // any prefix, as docker's
  CHECK(FindContainers(s, "we") == std::vector<std::size_t>{0});  // a name prefix too
  CHECK(FindContainers(s, "docker://" + std::string(64, 'a')) == std::vector<std::size_t>{0});
  CHECK(FindContainers(s, "nope").empty());
  CHECK(FindContainers(s, "").empty());
  // An exact name wins over prefixes of others: "web" is not also "web-2".
  Container second = s.containers[0];
  second.id = std::string(64, 'c');
  second.name = "web-2";
  s.containers.push_back(second);
  CHECK(FindContainers(s, "web") == std::vector<std::size_t>{0});
  CHECK(FindContainers(s, "we") == std::vector<std::size_t>{0, 2});
}

TEST_CASE("report: the table lists only the selected containers") {
  const std::string table = RenderContainerTable(Example(), {1});
  CHECK(table.find("bbbbbbbbbbbb") != std::string::npos);
  CHECK(table.find("aaaaaaaaaaaa") == std::string::npos);
}
