# The libtorch adapter, built when TorchConfig.cmake (libtorch-dev) is found: the kernels in a
# module (torch_kernels.cpp -> softcheck_torch_adapter.so, the one TU with ATen, ~5 s to compile)
# that torch_peers.cpp, part of softcheck_adapters, loads on the first call of a torch kernel.
# Linking libtorch into every program instead would cost each process ~0.4 s of CPU at start-up
# and slow every fork of the isolated invoker.
option(SOFTCHECK_WITH_TORCH "Build the libtorch adapter when libtorch-dev is found" ${_peers_default})
set(_reason "")
if(SOFTCHECK_WITH_TORCH)
  find_package(Torch CONFIG QUIET)
  if(NOT Torch_FOUND)
    set(_reason "not built: libtorch-dev was not found by CMake")
  endif()
else()
  set(_reason "not built: SOFTCHECK_WITH_TORCH=OFF (the default of the sanitizer build)")
endif()
if(_reason STREQUAL "")
  add_library(softcheck_torch_adapter MODULE torch_kernels.cpp)
  target_include_directories(softcheck_torch_adapter PRIVATE ${PROJECT_SOURCE_DIR})
  # SYSTEM: libtorch's headers are not ours to keep warning-free.
  target_include_directories(softcheck_torch_adapter SYSTEM PRIVATE ${TORCH_INCLUDE_DIRS})
  target_link_libraries(softcheck_torch_adapter PRIVATE ${TORCH_LIBRARIES} softcheck::types
    softcheck_warnings)
  set_target_properties(softcheck_torch_adapter PROPERTIES CXX_VISIBILITY_PRESET hidden PREFIX "")
  target_sources(softcheck_adapters PRIVATE torch_peers.cpp)
  target_link_libraries(softcheck_adapters PRIVATE ${CMAKE_DL_LIBS})
  target_compile_definitions(softcheck_adapters PRIVATE SOFTCHECK_HAVE_TORCH
    "SOFTCHECK_TORCH_ADAPTER_PATH=\"$<TARGET_FILE:softcheck_torch_adapter>\""
    "SOFTCHECK_TORCH_VERSION=\"${Torch_VERSION}\"")
  # Whatever links the registry can call a torch kernel: build the module with it.
  add_dependencies(softcheck_adapters softcheck_torch_adapter)
  message(STATUS "softcheck: libtorch adapter enabled (Torch ${Torch_VERSION}, loaded on first use)")
else()
  target_compile_definitions(softcheck_adapters PRIVATE "SOFTCHECK_TORCH_SKIP_REASON=\"${_reason}\"")
  message(STATUS "softcheck: libtorch adapter SKIPPED (${_reason})")
endif()
