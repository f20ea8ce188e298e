# skiff_plain_posix_test(NAME SOURCE HOST_RUN): the CTest test NAME builds
# SOURCE unchanged with the host's C compiler and with skiff-cc, then runs
# HOST_RUN DIR on the host build (plain_posix.cmake): a socket program's
# expectations on Skiff are checked against Linux. No test without skiff-cc.
function(skiff_plain_posix_test name source host_run)
  if(NOT TARGET skiff_cc)
    return()
  endif()
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DHOST_CC=${CMAKE_C_COMPILER}
                   -DSKIFF_CC=${CMAKE_BINARY_DIR}/bin/skiff-cc -DSOURCES=${source}
                   -DHOST_RUN=${host_run}
                   -P ${CMAKE_SOURCE_DIR}/tests/guests/sockecho/plain_posix.cmake)
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120)
endfunction()
