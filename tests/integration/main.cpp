// Integration tests on the real kernel. They need root (namespaces, cgroup directories) and a
// writable cgroup hierarchy; without them the binary exits 77, which ctest reports as skipped.
// ctest runs each case on its own (tests/CMakeLists.txt); a case that cannot run on this host
// ends with SKIP_CASE (skip.h), and a run whose every case did so exits 77 as well.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "cmd/logging.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/skip.h"

namespace {

using cproc::testing::kernel::CaseSkips;
using cproc::testing::kernel::CurrentCaseSkips;

constexpr int kSkipped = 77;  // SKIP_RETURN_CODE in tests/CMakeLists.txt

int Skip(const std::string& reason) {
  std::printf("SKIPPED: %s\n", reason.c_str());
  return kSkipped;
}

// A case that left something out, as the run's summary lists it.
struct SkippedCase {
  std::string name;
  std::size_t passes = 0;  // 1, or one per leaf SUBCASE
  CaseSkips skips;
  bool whole() const { return skips.passes_ended == passes; }
};

struct RunSkips {
  std::size_t cases_run = 0;
  std::size_t cases_skipped = 0;
  std::vector<SkippedCase> cases;
};

RunSkips& Run() {
  static RunSkips run;
  return run;
}

// Follows each case through its passes and lists, at the end of the run, what was skipped: a
// case is skipped when every pass through it ended in SKIP_CASE, partly skipped otherwise.
class SkipListener : public doctest::IReporter {
 public:
  explicit SkipListener(const doctest::ContextOptions& options) : out_(*options.cout) {}

  void test_case_start(const doctest::TestCaseData& data) override {
    current_ = SkippedCase{data.m_name, 1, {}};
    CurrentCaseSkips() = {};
  }
  void test_case_reenter(const doctest::TestCaseData&) override { ++current_.passes; }
  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    RunSkips& run = Run();
    ++run.cases_run;
    current_.skips = CurrentCaseSkips();
    if (current_.skips.reasons.empty()) return;
    if (current_.whole()) ++run.cases_skipped;
    run.cases.push_back(current_);
  }
  void test_run_end(const doctest::TestRunStats&) override {
    const RunSkips& run = Run();
    if (run.cases.empty()) return;
    out_ << "===============================================================================\n"
         << "[skips] " << run.cases_skipped << " of " << run.cases_run << " test cases skipped, "
         << run.cases.size() - run.cases_skipped << " partly skipped:\n";
    for (const SkippedCase& c : run.cases) {
      const std::size_t parts = c.skips.reasons.size() - c.skips.passes_ended;
      out_ << "  " << c.name << ": ";
      if (c.whole()) {
        out_ << "skipped";
      } else if (c.skips.passes_ended > 0) {
        out_ << c.skips.passes_ended << " of " << c.passes << " sub-cases skipped";
        if (parts > 0) out_ << ", " << parts << " parts";
      } else {
        out_ << parts << (parts == 1 ? " part" : " parts") << " skipped";
      }
      const char* separator = " (";
      for (const std::string& reason : c.skips.reasons) {
        out_ << separator << reason;
        separator = "; ";
      }
      out_ << ")\n";
    }
  }

  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}

 private:
  std::ostream& out_;
  SkippedCase current_;
};

REGISTER_LISTENER("skips", 1, SkipListener);

}  // namespace

int main(int argc, char** argv) {
  using cproc::testing::kernel::CgroupHierarchies;
  doctest::Context context(argc, argv);
  // Listing the cases (ctest's list is made from it at build time) needs neither root nor cgroups.
  if (context.shouldExit()) return context.run();

  if (::geteuid() != 0) {
    return Skip("needs root to create namespaces and cgroups (euid " + std::to_string(::geteuid()) +
                ")");
  }

  const CgroupHierarchies found = cproc::testing::kernel::DetectCgroupHierarchies();
  std::string why_not;
  bool writable = false;
  for (const std::string* root : {&found.v1_pids, &found.v1_systemd, &found.v2}) {
    if (root->empty()) continue;
    const std::string error = cproc::testing::kernel::ProbeWritable(*root);
    writable = writable || error.empty();
    if (!error.empty()) why_not += " " + error + ";";
  }
  if (!writable) {
    return Skip("no writable cgroup hierarchy (v1 pids '" + found.v1_pids + "', v1 systemd '" +
                found.v1_systemd + "', v2 '" + found.v2 + "'):" + why_not);
  }
  std::printf("cgroup hierarchies: v1 pids '%s', v1 name=systemd '%s', v2 '%s' (%s)\n",
              found.v1_pids.c_str(), found.v1_systemd.c_str(), found.v2.c_str(),
              found.hybrid() ? "hybrid" : (found.has_v1() ? "v1 only" : "pure v2"));

  // Root in a container without CAP_SYS_ADMIN cannot unshare: that is a skip, not a failure.
  {
    cproc::testing::kernel::FakeContainerSpec spec;
    spec.zombie = false;
    spec.sleeper = false;
    auto probe = cproc::testing::kernel::FakeContainer::Start(spec);
    if (!probe) {
      return Skip("cannot create PID, UTS, IPC, net and mount namespaces: " + probe.error());
    }
  }

  // Orphans of the fake containers that have no PID namespace of their own are re-parented to
  // this process instead of the host's init, so the fixtures reap them by pid.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) std::perror("prctl(PR_SET_CHILD_SUBREAPER)");

  // The scanner logs at info once per scan; the test report is what matters here.
  cproc::SetUpLogging("warn", "logfmt");

  const int result = context.run();
  if (result != 0) return result;  // a failure is a failure, whatever else was skipped
  if (Run().cases_run == 0) {
    // ctest names each case: a name that matches none is a stale list, not a pass.
    std::printf("no test case matched the filters given\n");
    return 1;
  }
  return Run().cases_skipped == Run().cases_run ? kSkipped : 0;
}
