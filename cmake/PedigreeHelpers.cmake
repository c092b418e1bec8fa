# Build rules shared by every Pedigree target: one warning set, one sanitizer
# switch, and small wrappers that keep each library and test to one call.

add_library(pedigree_warnings INTERFACE)
target_compile_options(pedigree_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
  -Wmissing-declarations -Wimplicit-fallthrough -Wformat=2
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
  $<$<BOOL:${PEDIGREE_WERROR}>:-Werror>)

if(PEDIGREE_SANITIZE)
  string(REPLACE ";" "," _pedigree_sanitizers "${PEDIGREE_SANITIZE}")
  # Applies to every target below this directory, generated code included,
  # so that instrumented and uninstrumented objects never mix.
  add_compile_options(-fsanitize=${_pedigree_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_pedigree_sanitizers})
  # GCC's -Wmaybe-uninitialized is known to misfire on instrumented code
  # (e.g. inside libstdc++'s std::regex); the plain build keeps it.
  target_compile_options(pedigree_warnings INTERFACE
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endif()

# Test code (gtest executables and the helpers under tests/) is compiled
# without optimization in every build type unless PEDIGREE_OPTIMIZE_TESTS is
# ON: the suite runs in seconds either way, while optimizing gtest's
# macro-heavy code took about half of CI's compile time. The code under test
# keeps the build type's flags.
option(PEDIGREE_OPTIMIZE_TESTS "compile test code with the build type's optimization" OFF)
# -pthread everywhere (some tests get it from gRPC, others not) so that all
# of them can use the one precompiled header below (it defines _REENTRANT).
add_library(pedigree_test_code INTERFACE)
target_compile_options(pedigree_test_code INTERFACE -pthread)
if(NOT PEDIGREE_OPTIMIZE_TESTS)
  target_compile_options(pedigree_test_code INTERFACE -O0)
endif()

# Every gtest executable reuses one precompiled header of the test framework
# (the heaviest headers nearly every test includes), compiled once per build
# with the same flags as the tests (CMake adds -Winvalid-pch: with
# PEDIGREE_WERROR a target whose flags make it unusable fails to build).
option(PEDIGREE_TEST_PCH "precompile the test framework headers once" ON)
if(PEDIGREE_TEST_PCH AND PEDIGREE_BUILD_TESTS)
  set(_pedigree_pch_source ${CMAKE_BINARY_DIR}/pedigree_test_pch.cc)
  file(WRITE ${_pedigree_pch_source} "// The anchor of the tests' precompiled header.\n")
  add_library(pedigree_test_pch OBJECT ${_pedigree_pch_source})
  target_link_libraries(pedigree_test_pch PRIVATE pedigree_warnings
                        pedigree_test_code GTest::gmock absl::status
                        absl::strings)
  target_precompile_headers(pedigree_test_pch PRIVATE
    <string> <vector> <memory> <utility> <optional>
    <gmock/gmock.h> <gtest/gtest.h>
    <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>)
endif()

# pedigree_add_library(NAME SRCS ... DEPS ... [PRIVATE_DEPS ...])
function(pedigree_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS}
                        PRIVATE pedigree_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# pedigree_add_test(NAME SRCS ... DEPS ... LABELS ...)
# Builds one gtest executable and registers each of its tests with ctest.
function(pedigree_add_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} pedigree_warnings
                        pedigree_test_code)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  if(TARGET pedigree_test_pch)
    target_precompile_headers(${name} REUSE_FROM pedigree_test_pch)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
