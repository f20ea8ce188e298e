# Host tests of shadow paging's portable parts (hypervisor/mem/shadow/):
# the guest-table walker, the shadow tables, the reverse map and the
# instruction decoder.
skiff_host_test(shadow_test
  ${CMAKE_SOURCE_DIR}/tests/unit/shadow_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/guest_walk.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_table.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_rmap.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/insn_decode.c)
