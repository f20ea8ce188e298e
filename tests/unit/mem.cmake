# Host tests of the guest memory core (hypervisor/mem/).
skiff_host_test(mem_guest_pages_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_guest_pages_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/guest_pages.c)
