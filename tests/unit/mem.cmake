# Host tests of the guest memory core (hypervisor/mem/).

# The one invalidation path against the tagged-TLB model, over both entry formats.
set(SKIFF_INVALIDATION_TEST_SOURCES
  ${CMAKE_SOURCE_DIR}/tests/unit/tlb_model.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/mem_invalidate.c
  ${CMAKE_SOURCE_DIR}/nested_paging/nested_paging.c
  ${CMAKE_SOURCE_DIR}/ept/ept_format.c
  ${CMAKE_SOURCE_DIR}/npt/npt_format.c
  ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_testlib.c)
skiff_host_test(mem_guest_pages_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_guest_pages_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/guest_pages.c)
skiff_host_test(mem_invalidate_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_invalidate_test.c
  ${SKIFF_INVALIDATION_TEST_SOURCES})
skiff_host_test(frame_zero_test
  ${CMAKE_SOURCE_DIR}/tests/unit/frame_zero_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_zero.c)
skiff_host_test(mem_xcpu_reclaim_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_xcpu_reclaim_test.c
  ${SKIFF_INVALIDATION_TEST_SOURCES})
