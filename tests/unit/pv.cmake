# Host tests of the paravirtual MMU's validator (hypervisor/mem/pv/pv_check.c).
skiff_host_test(pv_check_test
  ${CMAKE_SOURCE_DIR}/tests/unit/pv_check_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/pv/pv_check.c)
