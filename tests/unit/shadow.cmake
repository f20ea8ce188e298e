# Host tests of shadow paging's portable parts (hypervisor/mem/shadow/):
# the guest-table walker, the shadow tables, the reverse map and the
# instruction decoder.
skiff_host_test(shadow_test
  ${CMAKE_SOURCE_DIR}/tests/unit/shadow_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/guest_walk.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_table.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_rmap.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/insn_decode.c)

# A page the memory core takes leaves exactly the shadow leaves that map
# it, through the one invalidation path, before its frame is reused.
skiff_host_test(shadow_reclaim_test
  ${CMAKE_SOURCE_DIR}/tests/unit/shadow_reclaim_test.c
  ${CMAKE_SOURCE_DIR}/tests/unit/tlb_model.c
  ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_testlib.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/mem_invalidate.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_reclaim.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_rmap.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/shadow/shadow_table.c
  ${CMAKE_SOURCE_DIR}/nested_paging/nested_paging.c
  ${CMAKE_SOURCE_DIR}/ept/ept_format.c
  ${CMAKE_SOURCE_DIR}/npt/npt_format.c)
