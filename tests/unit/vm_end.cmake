# A guest's end (scrub before its frames are freed) and its console's log
# filter, on the host with the allocator, console and backend faked.
skiff_host_test(vm_end_test
  ${CMAKE_SOURCE_DIR}/tests/unit/vm_end_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/vm/vm_end.c
  ${CMAKE_SOURCE_DIR}/lib/format.c)
