# Google Benchmark of the protocol core (not part of the test suite).
add_executable(secsetup_core_bench ${CMAKE_CURRENT_LIST_DIR}/core_bench.cpp)
target_compile_options(secsetup_core_bench PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(secsetup_core_bench PRIVATE secsetup_core benchmark::benchmark)
