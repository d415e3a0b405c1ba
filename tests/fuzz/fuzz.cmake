# libFuzzer targets of the core (configure with CC=clang CXX=clang++ -DSECSETUP_BUILD_FUZZ=ON).
# Run them with tests/fuzz/run.sh <build-dir> <seconds-per-target>.
set(_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

foreach(_name grammar engine)
  add_executable(fuzz_${_name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${_name}.cpp
                               ${CMAKE_SOURCE_DIR}/tests/fakes/fake_kernel_ipsec.cpp)
  target_include_directories(fuzz_${_name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(fuzz_${_name} PRIVATE ${SECSETUP_CXX_WARNINGS} ${_fuzz_flags})
  target_link_options(fuzz_${_name} PRIVATE ${_fuzz_flags})
  target_link_libraries(fuzz_${_name} PRIVATE secsetup_core)
endforeach()
