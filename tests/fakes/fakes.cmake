# Recording fake of kernel_ipsec (sequential SPIs, installed pairs, failure injection, ops log).
add_library(secsetup_fake_kernel STATIC ${CMAKE_CURRENT_LIST_DIR}/fake_kernel_ipsec.cpp)
target_include_directories(secsetup_fake_kernel PUBLIC ${CMAKE_SOURCE_DIR})
target_compile_options(secsetup_fake_kernel PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(secsetup_fake_kernel PUBLIC secsetup_kipsec_types)
