# Writes build_info.h at build time (cmake -P), so the revision is the one being built, not the
# one CMake was configured at. configure_file leaves an unchanged file untouched: no rebuild.
# In: TEMPLATE, OUTPUT, SOURCE_DIR, PROJECT_VERSION, CPROC_REVISION (given: used as is).
if(NOT CPROC_REVISION)
  execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE CPROC_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
endif()
if(NOT CPROC_REVISION)
  set(CPROC_REVISION "unknown")  # a tree without .git and without -DCPROC_REVISION
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
