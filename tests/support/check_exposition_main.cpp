// cproc_check_exposition FILE [--identities]: the strict exposition check for shell tests.
// Exit 0 when FILE is clean, 1 with one line per problem on stderr, 2 on bad usage. With
// --identities, prints one line per container from cproc_container_info:
//   container_id <TAB> container <TAB> pod <TAB> namespace <TAB> runtime <TAB> image
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/exposition_check.h"

int main(int argc, char** argv) {
  const bool identities = argc == 3 && std::string(argv[2]) == "--identities";
  if (argc != 2 && !identities) {
    std::cerr << "usage: " << argv[0] << " FILE [--identities]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << argv[1] << ": cannot open\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> errors;
  const auto exposition = cproc::testing::CheckExposition(text.str(), errors);
  const auto found = cproc::testing::ContainerIdentities(exposition, errors);
  for (const std::string& error : errors) std::cerr << argv[1] << ": " << error << '\n';
  if (identities) {
    for (const auto& [id, c] : found) {
      std::cout << id << '\t' << c.container << '\t' << c.pod << '\t' << c.namespace_ << '\t'
                << c.runtime << '\t' << c.image << '\n';
    }
  }
  return errors.empty() ? 0 : 1;
}
