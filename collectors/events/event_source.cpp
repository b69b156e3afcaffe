#include "collectors/events/event_source.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "collectors/procfs/proc_status.h"

namespace cproc {

Expected<std::unique_ptr<EventSource>> EventSource::Start(const EventSourceOptions& options) {
  Fd proc_fd(::open(options.procfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd.valid()) {
    return Error{"cannot open procfs " + options.procfs + ": " + std::strerror(errno)};
  }
  auto connector = ProcConnector::Open(options.connector);
  if (!connector) return Error{connector.error()};
  std::unique_ptr<EventSource> source(new EventSource(std::move(*connector), std::move(proc_fd)));
  source->thread_ = std::thread([raw = source.get()] { raw->Read(); });
  return source;
}

EventSource::EventSource(std::unique_ptr<ProcConnector> connector, Fd proc_fd)
    : connector_(std::move(connector)), proc_fd_(std::move(proc_fd)) {}

EventSource::~EventSource() { Stop(); }

void EventSource::Stop() {
  std::call_once(stopped_, [this] {
    connector_->Stop();
    if (thread_.joinable()) thread_.join();
  });
}

void EventSource::Read() {
  auto ran = connector_->Run([this](const ProcEvent& event) { OnEvent(event); });
  if (!ran) {
    failed_.store(true);
    spdlog::error("process events: {}; the lifecycle counters stop here", ran.error());
  }
}

void EventSource::OnEvent(const ProcEvent& event) {
  bool wants_cgroup = false;
  {
    std::lock_guard lock(mutex_);
    ledger_.Apply(event);
    wants_cgroup =
        event.kind == ProcEventKind::kExec && !event.thread && ledger_.WantsCgroupOf(event.tgid);
  }
  // Outside the lock: the scan's hand-over need not wait for a file read.
  if (wants_cgroup) ReadCgroupAfterExec(event.tgid);
}

// A process in no container exec'd: runc and docker exec join the container's cgroup first. A
// process that is gone by now needs nothing more: its exit event follows.
void EventSource::ReadCgroupAfterExec(int32_t tgid) {
  const std::string pid = std::to_string(tgid);
  if (ReadFileAt(proc_fd_.get(), (pid + "/cgroup").c_str(), text_) != ReadResult::kOk) return;
  bool joined = false;
  {
    std::lock_guard lock(mutex_);
    joined = ledger_.Reattribute(tgid, text_);
  }
  if (!joined) return;
  // A container's (re)started init execs once it is there: its exit must count as the init's
  // before the next scan names it.
  if (ReadFileAt(proc_fd_.get(), (pid + "/status").c_str(), text_) != ReadResult::kOk) return;
  auto status = ParseProcStatus(text_);
  if (!status || status->nspid.size() < 2 || status->nspid.back() != 1) return;
  std::lock_guard lock(mutex_);
  ledger_.MarkInit(tgid);
}

EventHandover EventSource::Handover(const Snapshot& snapshot) {
  EventHandover handover;
  ProcConnectorStats stats;
  uint64_t lost = 0;
  {
    // The reader counts a loss before it hands the next event on, so under the lock the count
    // covers every event applied so far.
    std::lock_guard lock(mutex_);
    stats = connector_->stats();
    lost = stats.overruns + stats.missed;
    const bool lost_since = lost != lost_at_handover_;
    handover.covered = ledger_.based() && !lost_since;
    handover.deltas = ledger_.Rebase(snapshot, lost_since);
  }
  lost_at_handover_ = lost;
  const bool active = !failed_.load();
  handover.covered = handover.covered && active;
  handover.stats = EventSourceStats{.started = true,
                                    .active = active,
                                    .received = stats.events,
                                    .lost_overrun = stats.overruns,
                                    .lost_sequence = stats.missed};
  return handover;
}

}  // namespace cproc
