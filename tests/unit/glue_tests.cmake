# The compile definitions must match Debian's kamailio binary (cmake/KamailioDefs.cmake).
if(TARGET kamailio_abi_probe)
  add_test(NAME kamailio_abi_matches_installed_binary
           COMMAND ${CMAKE_SOURCE_DIR}/tests/abi/check_abi.sh $<TARGET_FILE:kamailio_abi_probe>)
  set_tests_properties(kamailio_abi_matches_installed_binary PROPERTIES LABELS unit)
endif()

# The test S-CSCF's and UE's AKA constants come from one computation (tests/sipp).
add_test(NAME sipp_aka_vectors_consistent COMMAND ${CMAKE_SOURCE_DIR}/tests/sipp/check_vectors.sh)
set_tests_properties(sipp_aka_vectors_consistent PROPERTIES LABELS unit)
