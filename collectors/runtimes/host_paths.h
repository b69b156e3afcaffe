// Paths of the host's files as this process sees them: under --path.rootfs when the exporter
// runs in a container with the host's root mounted there, glob patterns expanded.
#pragma once

#include <string>
#include <vector>

namespace cproc {

// `path` (absolute, as on the host) under `rootfs` ("/" or "": the path itself).
std::string HostPath(const std::string& rootfs, const std::string& path);

// The roots as paths on this machine, glob(7) patterns expanded to the directories that exist
// now (a pattern costs a directory walk; a plain path is returned whether it exists or not).
std::vector<std::string> ExpandHostRoots(const std::string& rootfs,
                                         const std::vector<std::string>& roots);

// Whether `path` is a directory (following links); false when it cannot be stat'ed.
bool IsDirectory(const std::string& path);

// The names in directory `dir` but "." and ".." and hidden ones; none when it cannot be read.
std::vector<std::string> DirectoryEntries(const std::string& dir);

}  // namespace cproc
