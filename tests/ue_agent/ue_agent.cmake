# The test UE's IPsec agent (tests only; never installed).
find_package(OpenSSL REQUIRED)
add_library(secsetup_ue_agent_lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/milenage.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/install_waits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/answer_cache.cpp)
target_include_directories(secsetup_ue_agent_lib PUBLIC ${CMAKE_SOURCE_DIR})
target_compile_options(secsetup_ue_agent_lib PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(secsetup_ue_agent_lib PUBLIC OpenSSL::Crypto)

add_executable(secsetup-ue-agent ${CMAKE_CURRENT_LIST_DIR}/ue_agent.cpp)
target_compile_options(secsetup-ue-agent PRIVATE ${SECSETUP_CXX_WARNINGS})
target_link_libraries(secsetup-ue-agent PRIVATE secsetup_ue_agent_lib secsetup_core secsetup_kernel)

secsetup_unit_test(ue_agent_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ue_agent_test.cpp
  LIBS secsetup_ue_agent_lib)
