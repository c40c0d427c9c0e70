# A Debian package of what cmake/install.cmake installs (the CLI, the plugin header, the CMake
# and pkg-config files, the docs): `cpack -G DEB` in the build directory writes
# softcheck_<version>_<arch>.deb; dpkg-shlibdeps computes its Depends from the CLI's shared
# libraries, so it installs on a fresh Debian machine with apt. tests/package/ builds it, unpacks
# it and checks the example plugin with the packaged CLI.
if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME softcheck)
set(CPACK_PACKAGE_VENDOR "softcheck")
set(CPACK_PACKAGE_CONTACT "softcheck developers <softcheck@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "property-based numerical verification of softmax-family kernels")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
