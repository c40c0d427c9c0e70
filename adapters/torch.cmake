# The libtorch adapter (adapters/torch_kernels.cpp), built when TorchConfig.cmake (libtorch-dev) is
# found. Loading libtorch costs about 0.4 s of CPU per process (its operator registry), which every
# test process would pay if it were part of softcheck_adapters; so it is an object library linked
# only into the programs that use it (softcheck_link_torch_adapter: the CLI, softcheck_bench, the
# peer tests), and peer_kernels() finds it through a weak symbol. The TU with ATen takes ~5 s to
# compile.
option(SOFTCHECK_WITH_TORCH "Build the libtorch adapter when libtorch-dev is found" ${_peers_default})
set(_reason "")
if(SOFTCHECK_WITH_TORCH)
  find_package(Torch CONFIG QUIET)
  # The adapter needs ATen (libtorch_cpu) and c10 only; linked as plain files, because
  # TorchConfig's imported targets are local to this directory and the adapter is linked elsewhere.
  find_library(TORCH_CPU_LIBRARY torch_cpu)
  find_library(C10_LIBRARY c10)
  if(NOT Torch_FOUND OR NOT TORCH_CPU_LIBRARY OR NOT C10_LIBRARY)
    set(_reason "not built: libtorch-dev was not found by CMake")
  endif()
else()
  set(_reason "not built: SOFTCHECK_WITH_TORCH=OFF (the default of the sanitizer build)")
endif()
if(_reason STREQUAL "")
  add_library(softcheck_torch_adapter OBJECT torch_kernels.cpp)
  target_include_directories(softcheck_torch_adapter PRIVATE ${PROJECT_SOURCE_DIR})
  # SYSTEM: libtorch's headers are not ours to keep warning-free.
  target_include_directories(softcheck_torch_adapter SYSTEM PRIVATE ${TORCH_INCLUDE_DIRS})
  target_link_libraries(softcheck_torch_adapter PUBLIC ${TORCH_CPU_LIBRARY} ${C10_LIBRARY}
    PRIVATE softcheck::types softcheck_warnings)
  message(STATUS "softcheck: libtorch adapter enabled (Torch ${Torch_VERSION})")
  set(_reason "not linked into this program (libtorch is linked only into softcheck, "
              "softcheck_bench and the peer tests)")
else()
  message(STATUS "softcheck: libtorch adapter SKIPPED (${_reason})")
endif()
string(CONCAT _reason ${_reason})
target_compile_definitions(softcheck_adapters PRIVATE "SOFTCHECK_TORCH_SKIP_REASON=\"${_reason}\"")

# softcheck_link_torch_adapter(target): the target gets the libtorch peers (a no-op without them).
function(softcheck_link_torch_adapter target)
  if(TARGET softcheck_torch_adapter)
    # Linking an object library adds its objects and its usage requirements (libtorch).
    target_link_libraries(${target} PRIVATE softcheck_torch_adapter)
  endif()
endfunction()
