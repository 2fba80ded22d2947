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
