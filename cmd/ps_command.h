// `cproc_exporter ps`: the manual workflow of `docker top` + `pstree`, for every runtime at once.
#pragma once

#include <string>
#include <vector>

namespace cproc {

// Runs the subcommand; `args` are the arguments after "ps". Returns the exit status.
int RunPsCommand(const std::string& program, const std::vector<std::string>& args);

}  // namespace cproc
