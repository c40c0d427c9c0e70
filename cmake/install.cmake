# Install rules and the CMake package: `cmake --install build --prefix P` installs
#   P/bin/softcheck                                 the CLI (imported as softcheck::softcheck)
#   P/bin/softcheck-worker                          the process plugin kernels run in
#   P/include/softcheck/kernel_abi.h                the plugin C ABI (softcheck::kernel_abi)
#   P/lib/cmake/softcheck/                          softcheckConfig.cmake and friends
#   P/share/doc/softcheck/                          the JSON schema and the example plugins
# so that a user's project can do
#   find_package(softcheck 0.1 REQUIRED)
#   softcheck_add_plugin_check(NAME my_softmax_f32 TARGET my_plugin SYMBOL my_softmax_f32
#                              OP softmax DTYPE f32)
# and get a ctest test that runs `softcheck check` on their plugin with a JUnit report
# (issue 6, "For CI users"). The layout follows the fmt model (style.md): a namespaced export set,
# configure_package_config_file + write_basic_package_version_file, relocatable paths.
# tests/consumer/ is a project that uses the installed package; tests/cli/ runs it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SOFTCHECK_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/softcheck
    CACHE STRING "Where softcheckConfig.cmake is installed, relative to the prefix")

# Exported names: softcheck::softcheck (the CLI) and softcheck::kernel_abi (the header). Inside this
# build the same names exist as aliases, so code written against the package also works in-tree.
set_target_properties(softcheck_kernel_abi PROPERTIES EXPORT_NAME kernel_abi)
if(TARGET softcheck)
  add_executable(softcheck::softcheck ALIAS softcheck)
  install(TARGETS softcheck EXPORT softcheckTargets
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # Plugin kernels run in it (properties/plugin/worker_invoker.hpp); softcheck looks for it in its
  # own directory.
  install(TARGETS softcheck-worker RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS softcheck_kernel_abi EXPORT softcheckTargets)
# Only the C header: the C++ headers of include/softcheck/ describe built-in kernels and need the
# static libraries, which are not part of the package.
install(FILES ${PROJECT_SOURCE_DIR}/include/softcheck/kernel_abi.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/softcheck)

install(EXPORT softcheckTargets NAMESPACE softcheck:: FILE softcheckTargets.cmake
        DESTINATION ${SOFTCHECK_INSTALL_CMAKEDIR})
# The build tree is a package too: find_package(softcheck) with softcheck_DIR=<build>/cmake uses
# this build's CLI and header without installing (CMake's export()).
export(EXPORT softcheckTargets NAMESPACE softcheck::
       FILE ${PROJECT_BINARY_DIR}/cmake/softcheckTargets.cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/softcheckPluginCheck.cmake
               ${PROJECT_BINARY_DIR}/cmake/softcheckPluginCheck.cmake COPYONLY)

# pkg-config for the plugin header alone (plugins written with Make or Meson):
#   cc $(pkg-config --cflags softcheck-kernel-abi) -shared -fPIC my_softmax.c -o libmy_softmax.so
configure_file(${PROJECT_SOURCE_DIR}/cmake/softcheck-kernel-abi.pc.in
               ${PROJECT_BINARY_DIR}/softcheck-kernel-abi.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/softcheck-kernel-abi.pc
        DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/softcheckConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/softcheckConfig.cmake
  INSTALL_DESTINATION ${SOFTCHECK_INSTALL_CMAKEDIR})
# Before 1.0 a minor release may change CLI flags or the package's functions: only the same
# major.minor satisfies a request. (The plugin ABI carries its own version, SOFTCHECK_ABI_VERSION.)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/softcheckConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/softcheckConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/softcheckConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/softcheckPluginCheck.cmake
  DESTINATION ${SOFTCHECK_INSTALL_CMAKEDIR})

install(FILES ${PROJECT_SOURCE_DIR}/docs/check-json-schema.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/examples/plugin/CMakeLists.txt
              ${PROJECT_SOURCE_DIR}/examples/plugin/README.md
              ${PROJECT_SOURCE_DIR}/examples/plugin/my_softmax.c
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/plugin)
install(FILES ${PROJECT_SOURCE_DIR}/examples/threaded_plugin/CMakeLists.txt
              ${PROJECT_SOURCE_DIR}/examples/threaded_plugin/README.md
              ${PROJECT_SOURCE_DIR}/examples/threaded_plugin/threaded_softmax.c
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/threaded_plugin)
