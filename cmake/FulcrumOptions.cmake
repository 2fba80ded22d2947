# Compiler flags shared by every target.
add_compile_options(-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(CMAKE_BUILD_TYPE STREQUAL "Release" OR CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo")
  add_compile_options(-O2)
endif()
# Per-ISA kernel files get their own flags (see kernels/CMakeLists.txt); the rest of the code
# targets baseline x86-64 so the binary runs anywhere and dispatches at run time.

if(FULCRUM_FUZZ)
  # Every library gets coverage instrumentation and the sanitizers; fuzz targets add the driver.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()

if(FULCRUM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Profile-guided optimization (GCC), driven by scripts/build.sh for the release build:
# FULCRUM_PGO=generate compiles instrumented objects that write their profiles (one .gcda per
# object, named after the object's path) into FULCRUM_PGO_DIR when a program exits;
# scripts/pgo_train.sh runs the gateway over a stand-in upstream to write them; FULCRUM_PGO=use
# then compiles with those profiles. Code the training did not run is optimized as without
# profiles (-fprofile-partial-training), and a source file changed since the training is compiled
# without its profile (-Wno-coverage-mismatch) instead of failing.
set(FULCRUM_PGO "" CACHE STRING "Profile-guided optimization: empty (off), generate or use")
set(FULCRUM_PGO_DIR "${CMAKE_BINARY_DIR}/pgo-profile" CACHE PATH "Where PGO profiles are written and read")
if(FULCRUM_PGO AND (FULCRUM_SANITIZE OR FULCRUM_FUZZ))
  message(FATAL_ERROR "FULCRUM_PGO cannot be combined with the sanitizer or fuzz builds")
endif()
if(FULCRUM_PGO STREQUAL "generate")
  add_compile_options(-fprofile-generate -fprofile-update=atomic "-fprofile-dir=${FULCRUM_PGO_DIR}")
  add_link_options(-fprofile-generate)
elseif(FULCRUM_PGO STREQUAL "use")
  if(NOT EXISTS "${FULCRUM_PGO_DIR}")
    message(FATAL_ERROR "FULCRUM_PGO=use: no profiles in ${FULCRUM_PGO_DIR} (scripts/build.sh trains them)")
  endif()
  add_compile_options(-fprofile-use -fprofile-partial-training "-fprofile-dir=${FULCRUM_PGO_DIR}"
                      -Wno-missing-profile -Wno-coverage-mismatch)
elseif(FULCRUM_PGO)
  message(FATAL_ERROR "FULCRUM_PGO must be empty, generate or use (got '${FULCRUM_PGO}')")
endif()

# fulcrum_library(NAME SOURCES ... DEPS ...): a module library `fulcrum_<NAME>`.
function(fulcrum_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(fulcrum_${name} STATIC ${A_SOURCES})
  target_include_directories(fulcrum_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(fulcrum_${name} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
endfunction()

# fulcrum_test(NAME SOURCES ... DEPS ...): a GoogleTest executable whose cases ctest lists one by one.
function(fulcrum_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  if(TARGET fulcrum)
    target_compile_definitions(${name} PRIVATE FULCRUM_BINARY_PATH="$<TARGET_FILE:fulcrum>")
  endif()
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FULCRUM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "FULCRUM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
