# softcheck_add_plugin_check: check a plugin kernel library as a ctest test of your own project.
#
#   softcheck_add_plugin_check(NAME <test-name> TARGET <target-or-path>
#                              [SYMBOL <function> OP <op> DTYPE <dtype>]
#                              [ONLY <kernel-name>] [JUNIT <file>] [LABELS <label>...]
#                              [TIMEOUT <seconds>] [ARGS <softcheck check flags>...])
#
# TARGET  a SHARED or MODULE library target (define it before the call; an imported one works
#         too), or the path of a built plugin (relative to the current binary directory).
# SYMBOL  check this exported function; OP (softmax | log_softmax | softmax_temp |
#         softmax_backward | cross_entropy) and DTYPE (f32 | f64 | f16 | bf16) say what it
#         computes. Without SYMBOL (and without OP/DTYPE) every kernel that the library lists
#         through softcheck_kernels() is checked with the contract of its descriptor; ONLY
#         restricts that to one of them.
# ARGS    further `softcheck check` flags, e.g. --accum f32 --summation k_lane --lanes 8 --cases 50.
# JUNIT   JUnit XML report, default ${CMAKE_CURRENT_BINARY_DIR}/softcheck/<test-name>.xml, for the
#         CI's test display.
# LABELS  ctest labels, default "softcheck". TIMEOUT: ctest timeout of the test (default: ctest's).
#
# The test runs
#   softcheck check --lib <library> [--symbol S --op O --dtype D | --only K] --junit <file> ARGS
# and passes exactly when every property held (softcheck exits 0); a failed property (exit 1) or a
# usage error (exit 2: unknown flag, missing library or symbol) fails it. The failure report with
# the shrunk counterexample and the command line that reproduces it is in the test's output
# (ctest --output-on-failure). As for any add_test, the project calls enable_testing() (or
# include(CTest)) in its top-level CMakeLists.txt.
function(softcheck_add_plugin_check)
  cmake_parse_arguments(PARSE_ARGV 0 SC "" "NAME;TARGET;SYMBOL;OP;DTYPE;ONLY;JUNIT;TIMEOUT"
                        "LABELS;ARGS")
  if(SC_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "softcheck_add_plugin_check: unknown arguments: ${SC_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required NAME TARGET)
    if(NOT SC_${required})
      message(FATAL_ERROR "softcheck_add_plugin_check: ${required} is required")
    endif()
  endforeach()
  if(NOT TARGET softcheck::softcheck)
    message(FATAL_ERROR "softcheck_add_plugin_check: softcheck::softcheck is not defined; "
                        "call find_package(softcheck) first")
  endif()

  if(TARGET ${SC_TARGET})
    get_target_property(type ${SC_TARGET} TYPE)
    if(NOT type MATCHES "^(SHARED|MODULE|UNKNOWN)_LIBRARY$")
      message(FATAL_ERROR "softcheck_add_plugin_check(${SC_NAME}): ${SC_TARGET} is a ${type}; "
                          "softcheck loads plugins with dlopen, so it must be SHARED or MODULE")
    endif()
    set(lib "$<TARGET_FILE:${SC_TARGET}>")
  else()
    get_filename_component(lib "${SC_TARGET}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()

  set(select "")
  if(DEFINED SC_SYMBOL)
    if(NOT SC_OP OR NOT SC_DTYPE)
      message(FATAL_ERROR "softcheck_add_plugin_check(${SC_NAME}): SYMBOL needs OP and DTYPE "
                          "(what the function computes and its storage type)")
    endif()
    if(SC_ONLY)
      message(FATAL_ERROR "softcheck_add_plugin_check(${SC_NAME}): ONLY selects a kernel of the "
                          "library's descriptor; it cannot be combined with SYMBOL")
    endif()
    list(APPEND select --symbol ${SC_SYMBOL} --op ${SC_OP} --dtype ${SC_DTYPE})
  else()
    if(SC_OP OR SC_DTYPE)
      message(FATAL_ERROR "softcheck_add_plugin_check(${SC_NAME}): OP and DTYPE describe a SYMBOL; "
                          "without SYMBOL the library's softcheck_kernels() descriptor is used")
    endif()
    if(SC_ONLY)
      list(APPEND select --only ${SC_ONLY})
    endif()
  endif()

  if(NOT SC_JUNIT)
    set(SC_JUNIT "${CMAKE_CURRENT_BINARY_DIR}/softcheck/${SC_NAME}.xml")
  endif()
  get_filename_component(SC_JUNIT "${SC_JUNIT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  get_filename_component(junit_dir "${SC_JUNIT}" DIRECTORY)
  file(MAKE_DIRECTORY "${junit_dir}")

  add_test(NAME ${SC_NAME}
           COMMAND softcheck::softcheck check --lib "${lib}" ${select} --junit "${SC_JUNIT}"
                   ${SC_ARGS})
  if(NOT SC_LABELS)
    set(SC_LABELS softcheck)
  endif()
  set_tests_properties(${SC_NAME} PROPERTIES LABELS "${SC_LABELS}")
  if(SC_TIMEOUT)
    set_tests_properties(${SC_NAME} PROPERTIES TIMEOUT ${SC_TIMEOUT})
  endif()
endfunction()
