# The consumer test (issue 6, "For CI users"): install the main build into a fresh prefix, build the
# user project in project/ against it with find_package(softcheck), and run its ctest:
#   1. as is: its plugin checks must run the installed CLI and pass, writing JUnit reports;
#   2. with -DCONSUMER_BROKEN_PLUGIN=ON: the check of the broken kernel must fail;
#   3. with -DCONSUMER_MISUSE=ON: configuring must fail with a clear message;
# and builds the installed copy of examples/plugin standalone and checks it with the installed CLI.
# Then the other routes a user has: pkg-config for the header, the build tree as a package
# (export()), and FetchContent / add_subdirectory of the source tree.
# Run with cmake -P and -D for: MAIN_BUILD, SOURCE_DIR (softcheck's), PROJECT_DIR, WORK_DIR,
# GENERATOR, MAKE_PROGRAM (may be empty), C_COMPILER, CXX_COMPILER, CTEST, DOCDIR
# (CMAKE_INSTALL_DOCDIR of the main build), FETCHCONTENT_BUILD (optional: also build that route).
cmake_minimum_required(VERSION 3.24)
foreach(v MAIN_BUILD SOURCE_DIR PROJECT_DIR WORK_DIR GENERATOR C_COMPILER CXX_COMPILER CTEST DOCDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_consumer.cmake: -D${v}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# run(<name> EXPECT <0|nonzero> COMMAND ...): runs a step, keeps its output in WORK_DIR/<name>.log
# and in the variable <name>_output, and fails the test when the exit status is not the expected.
function(run name expect)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  file(WRITE ${WORK_DIR}/${name}.log "${out}")
  if((expect STREQUAL "0" AND NOT rc STREQUAL "0") OR
     (expect STREQUAL "nonzero" AND (rc STREQUAL "0" OR NOT rc MATCHES "^[0-9]+$")))
    message(FATAL_ERROR "step '${name}' exited with '${rc}', expected ${expect}:\n"
                        "  ${ARGN}\n${out}")
  endif()
  set(${name}_output "${out}" PARENT_SCOPE)
  message(STATUS "${name}: exit ${rc}")
endfunction()

function(assert_contains text needle what)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: '${needle}' not found in:\n${text}")
  endif()
endfunction()

run(install 0 ${CMAKE_COMMAND} --install ${MAIN_BUILD} --prefix ${prefix})
foreach(f bin/softcheck include/softcheck/kernel_abi.h)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install did not produce ${prefix}/${f}")
  endif()
endforeach()

# Only the fresh prefix may provide softcheck: no package registries, no system prefixes.
set(configure_args -G ${GENERATOR} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF)
if(MAKE_PROGRAM)
  list(APPEND configure_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
run(configure 0 ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${build} ${configure_args})
file(STRINGS ${build}/CMakeCache.txt found_dir REGEX "^softcheck_DIR:")
assert_contains("${found_dir}" "${prefix}/" "find_package(softcheck) used another installation")
run(build 0 ${CMAKE_COMMAND} --build ${build})

# The registered tests run the installed CLI on the consumer's plugin, with a JUnit file each.
run(list_tests 0 ${CTEST} --test-dir ${build} --show-only=json-v1)
string(JSON ntests LENGTH "${list_tests_output}" tests)
if(NOT ntests EQUAL 2)
  message(FATAL_ERROR "expected 2 consumer tests, ctest lists ${ntests}:\n${list_tests_output}")
endif()
math(EXPR last "${ntests} - 1")
foreach(i RANGE ${last})
  string(JSON exe GET "${list_tests_output}" tests ${i} command 0)
  if(NOT exe STREQUAL "${prefix}/bin/softcheck")
    message(FATAL_ERROR "consumer test ${i} runs '${exe}', not ${prefix}/bin/softcheck")
  endif()
endforeach()

run(ctest_good 0 ${CTEST} --test-dir ${build} --output-on-failure)
assert_contains("${ctest_good_output}" "100% tests passed" "consumer ctest")
foreach(t row_softmax_f64 row_softmax_descriptor)
  set(xml ${build}/softcheck/${t}.xml)
  if(NOT EXISTS ${xml})
    message(FATAL_ERROR "${t} wrote no JUnit report ${xml}")
  endif()
  file(READ ${xml} junit)
  assert_contains("${junit}" "<testcase " "${t} JUnit report")
  string(FIND "${junit}" "<failure" failure_at)
  if(NOT failure_at EQUAL -1)
    message(FATAL_ERROR "${t} passed but its JUnit report has a failure:\n${junit}")
  endif()
endforeach()
# The descriptor variant checked the kernel the library lists, under its own name.
file(READ ${build}/softcheck/row_softmax_descriptor.xml junit)
assert_contains("${junit}" "f64_softmax_shifted__scalar" "descriptor JUnit report")

# A broken kernel registered the same way must fail the user's ctest, with the property, the
# counterexample and a reproduction line in the output, and a <failure> in its JUnit report.
run(reconfigure 0 ${CMAKE_COMMAND} -DCONSUMER_BROKEN_PLUGIN=ON ${build})
run(rebuild 0 ${CMAKE_COMMAND} --build ${build})
# (Only the new test: the passing ones already ran above.)
run(ctest_broken nonzero ${CTEST} --test-dir ${build} --output-on-failure -L broken)
file(STRINGS ${build}/Testing/Temporary/LastTestsFailed.log failed)
if(NOT failed MATCHES "^[0-9]+:unshifted_softmax_f32$")
  message(FATAL_ERROR "expected unshifted_softmax_f32 to fail, failed: '${failed}'\n"
                      "${ctest_broken_output}")
endif()
assert_contains("${ctest_broken_output}" "FAILED" "broken consumer ctest output")
assert_contains("${ctest_broken_output}" "reproduce:" "broken consumer ctest output")
file(READ ${build}/softcheck/unshifted_softmax_f32.xml junit)
assert_contains("${junit}" "<failure" "broken kernel JUnit report")
# Misuse of the function stops the configure step and says what is missing.
run(configure_misuse nonzero ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${WORK_DIR}/build-misuse
    ${configure_args} -DCONSUMER_MISUSE=ON)
assert_contains("${configure_misuse_output}" "SYMBOL needs OP and DTYPE" "misuse configure output")

# The example plugin installed as documentation builds standalone against the prefix, as its
# README says, and the installed CLI passes it.
set(example ${prefix}/${DOCDIR}/examples/plugin)
run(configure_example 0 ${CMAKE_COMMAND} -S ${example} -B ${WORK_DIR}/build-example
    ${configure_args})
run(build_example 0 ${CMAKE_COMMAND} --build ${WORK_DIR}/build-example)
run(check_example 0 ${prefix}/bin/softcheck check --lib ${WORK_DIR}/build-example/libmy_softmax.so
    --cases 20 --quiet)
# pkg-config route (plugins built without CMake): the installed .pc file gives the header's flags.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
run(pkg_config 0 ${PKG_CONFIG} --cflags softcheck-kernel-abi)
string(STRIP "${pkg_config_output}" cflags)
string(REGEX REPLACE "^-I" "" include_dir "${cflags}")
file(REAL_PATH "${include_dir}" include_dir)
if(NOT include_dir STREQUAL "${prefix}/include")
  message(FATAL_ERROR "pkg-config --cflags softcheck-kernel-abi gave '${cflags}', "
                      "expected -I${prefix}/include (relocated)")
endif()
run(compile_pkg_config 0 ${C_COMPILER} ${cflags} -std=c99 -shared -fPIC -O2
    ${example}/my_softmax.c -o ${WORK_DIR}/libmy_softmax_pc.so -lm)
run(check_pkg_config 0 ${prefix}/bin/softcheck check --lib ${WORK_DIR}/libmy_softmax_pc.so
    --cases 10 --quiet)

# Build-tree route (CMake's export()): softcheck_DIR=<build>/cmake, nothing installed.
set(tree_args ${configure_args})
list(REMOVE_ITEM tree_args -DCMAKE_PREFIX_PATH=${prefix})
run(configure_tree 0 ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${WORK_DIR}/build-tree ${tree_args}
    -Dsoftcheck_DIR=${MAIN_BUILD}/cmake)
run(build_tree 0 ${CMAKE_COMMAND} --build ${WORK_DIR}/build-tree)
run(list_tree 0 ${CTEST} --test-dir ${WORK_DIR}/build-tree --show-only=json-v1)
string(JSON exe GET "${list_tree_output}" tests 0 command 0)
if(NOT exe STREQUAL "${MAIN_BUILD}/bin/softcheck")
  message(FATAL_ERROR "build-tree consumer runs '${exe}', not ${MAIN_BUILD}/bin/softcheck")
endif()
run(ctest_tree 0 ${CTEST} --test-dir ${WORK_DIR}/build-tree --output-on-failure)

# add_subdirectory / FetchContent route: configuring brings in softcheck's CLI and
# softcheck_add_plugin_check, but none of softcheck's own tests, benchmarks or examples
# (PROJECT_IS_TOP_LEVEL). Building it compiles the whole CLI: tests/consumer does that under the
# slow label (FETCHCONTENT_BUILD=ON).
# softcheck's own dependencies come from the system here, so the system paths stay on.
set(fetch_args -G ${GENERATOR} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=Release)
if(MAKE_PROGRAM)
  list(APPEND fetch_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
run(configure_fetch 0 ${CMAKE_COMMAND} -S ${PROJECT_DIR}/../fetchcontent_project
    -B ${WORK_DIR}/build-fetch ${fetch_args} -DSOFTCHECK_SOURCE_DIR=${SOURCE_DIR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(list_fetch 0 ${CTEST} --test-dir ${WORK_DIR}/build-fetch --show-only=json-v1)
string(JSON nfetch LENGTH "${list_fetch_output}" tests)
string(JSON name GET "${list_fetch_output}" tests 0 name)
if(NOT nfetch EQUAL 1 OR NOT name STREQUAL "row_softmax_f64")
  message(FATAL_ERROR "FetchContent consumer: expected only its own test row_softmax_f64, got "
                      "${nfetch}:\n${list_fetch_output}")
endif()
if(FETCHCONTENT_BUILD)
  run(build_fetch 0 ${CMAKE_COMMAND} --build ${WORK_DIR}/build-fetch)
  run(list_fetch_built 0 ${CTEST} --test-dir ${WORK_DIR}/build-fetch --show-only=json-v1)
  string(JSON exe GET "${list_fetch_built_output}" tests 0 command 0)
  if(NOT exe MATCHES "/build-fetch/.*/softcheck$")
    message(FATAL_ERROR "FetchContent consumer runs '${exe}', not the subproject's CLI")
  endif()
  run(ctest_fetch 0 ${CTEST} --test-dir ${WORK_DIR}/build-fetch --output-on-failure)
endif()
message(STATUS "consumer project: installed package, build tree, pkg-config and FetchContent "
               "routes work; checks pass, broken kernel fails")
