# Unit tests of kernel_ipsec/ (byte layouts, errno mapping, value types, host netns) and of
# the recording fake.
secsetup_unit_test(kernel_types_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernel_types_test.cpp
  LIBS secsetup_kipsec_types)
secsetup_unit_test(kernel_messages_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernel_messages_test.cpp
  LIBS secsetup_kernel)
secsetup_unit_test(kernel_netns_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernel_netns_test.cpp
  LIBS secsetup_kernel)
if(TARGET secsetup_fake_kernel)
  secsetup_unit_test(kernel_fake_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernel_fake_test.cpp
    LIBS secsetup_fake_kernel)
endif()

# The kernel suite's programs (run by tests/kernel/run.sh inside the sandbox, not by ctest).
add_executable(kernel_ipsec_check ${CMAKE_CURRENT_LIST_DIR}/../kernel/kernel_ipsec_check.cpp)
target_compile_options(kernel_ipsec_check PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(kernel_ipsec_check PRIVATE secsetup_kernel)
add_executable(kernel_wipe_check ${CMAKE_CURRENT_LIST_DIR}/../kernel/kernel_wipe_check.cpp)
target_compile_options(kernel_wipe_check PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(kernel_wipe_check PRIVATE secsetup_kernel)
