# cmake -D BINARY=<cproc_integration_tests> -D OUTPUT=<file> -D PREFIX=<label> -P this
#
# Writes a ctest script with one test per doctest case of BINARY, "<PREFIX>: <case name>", that
# runs that case alone: a case that cannot run on this host then shows in ctest as Skipped, with
# its reason, instead of hiding inside one passing test. Run after every link
# (tests/CMakeLists.txt), so the list follows the code. The properties of the tests are in
# ${cproc_integration_properties}, set by the file that includes OUTPUT.
#
# The output is walked line by line, never as a CMake list: a case name may hold ';' or '['.
execute_process(COMMAND "${BINARY}" --list-test-cases
                OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${BINARY} --list-test-cases exited ${status}:\n${listing}")
endif()

set(script "")
set(count 0)
set(rest "${listing}")
while(NOT rest STREQUAL "")
  string(FIND "${rest}" "\n" end)
  if(end EQUAL -1)
    set(name "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${end} name)
    math(EXPR end "${end} + 1")
    string(SUBSTRING "${rest}" ${end} -1 rest)
  endif()
  # doctest frames the names with "[doctest] ..." lines and "=====" rules.
  if(name STREQUAL "" OR name MATCHES "^\\[doctest\\] " OR name MATCHES "^=+$")
    continue()
  endif()
  if(name MATCHES "]==]")
    message(FATAL_ERROR "test case name '${name}' holds ']==]', which ends a CMake bracket")
  endif()
  # --test-case= splits at ',' and reads '\' as an escape.
  string(REPLACE "\\" "\\\\" filter "${name}")
  string(REPLACE "," "\\," filter "${filter}")
  string(APPEND script
    "add_test([==[${PREFIX}: ${name}]==] [==[${BINARY}]==] [==[--test-case=${filter}]==])\n"
    "set_tests_properties([==[${PREFIX}: ${name}]==]\n"
    "                     PROPERTIES \${cproc_integration_properties})\n")
  math(EXPR count "${count} + 1")
endwhile()
if(count EQUAL 0)
  message(FATAL_ERROR "${BINARY} --list-test-cases listed no test case:\n${listing}")
endif()
file(WRITE "${OUTPUT}" "${script}")
