# Kernel backend benchmark program (run by tests/kernel/bench.sh inside the sandbox).
add_executable(kernel_bench ${CMAKE_CURRENT_LIST_DIR}/kernel_bench.cpp)
target_compile_options(kernel_bench PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(kernel_bench PRIVATE secsetup_kernel)
