// Whether the process events connector will talk to this process. The kernel reports events
// only to listeners in the initial user and PID namespaces (cn_proc.c ignores a listen request
// from anywhere else, without an answer: the connector stays silent), and its netlink socket
// exists only in the initial network namespace (elsewhere sending the request is refused).
// Pure: the caller reads /proc/self/ns (ReadSelfNamespaces).
#pragma once

#include <optional>
#include <string>

#include "collectors/procfs/namespaces.h"

namespace cproc {

// nullopt when every namespace the connector cares about is the initial one or cannot be told
// (an unreadable link, or a kernel that numbers that initial namespace like any other: the
// network one before 6.18); otherwise why the connector will not report to us, naming the
// namespaces that differ.
std::optional<std::string> ConnectorNamespaceProblem(const NsSet& self,
                                                     std::optional<KernelVersion> kernel);

}  // namespace cproc
