# Unit tests of the protocol core (module/). Included from tests/CMakeLists.txt, after
# fakes/fakes.cmake (the recording kernel fake, secsetup_fake_kernel).

set(_core_tests grammar lex policy keys store engine sa_count trust table request_event random ue expires)
foreach(_t ${_core_tests})
  # A listed test that is not there is an error: a renamed file must not vanish quietly.
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/core_${_t}_test.cpp)
    message(FATAL_ERROR "unit test core_${_t}_test.cpp is listed but missing")
  endif()
  secsetup_unit_test(core_${_t}_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/core_${_t}_test.cpp
    LIBS secsetup_core secsetup_fake_kernel)
endforeach()

secsetup_unit_test(core_api_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/core_api_test.cpp ${CMAKE_CURRENT_LIST_DIR}/core_api_c_check.c
  LIBS secsetup_core secsetup_fake_kernel)

# The fuzz targets' corpora (seeds + kept reproducers) replayed as ordinary unit tests.
foreach(_name grammar engine)
  set(_extra)
  if(_name STREQUAL "engine")
    set(_extra ${CMAKE_SOURCE_DIR}/tests/fakes/fake_kernel_ipsec.cpp)
  endif()
  secsetup_unit_test(core_fuzz_replay_${_name}_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/core_fuzz_replay_test.cpp
            ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_${_name}.cpp ${_extra}
    LIBS secsetup_core)
  string(TOUPPER ${_name} _upper)
  string(SUBSTRING ${_upper} 0 1 _first)
  string(SUBSTRING ${_name} 1 -1 _rest)
  target_compile_definitions(core_fuzz_replay_${_name}_test PRIVATE
    SECSETUP_FUZZ_CORPUS="${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${_name}"
    SECSETUP_FUZZ_TEST=${_first}${_rest}Corpus)
endforeach()
