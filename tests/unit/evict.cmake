# Host tests of eviction's stores (hypervisor/evict/): the compressed pool
# over LZ4 (compiled hosted here, unmodified) and swap's slots; and a
# randomized run of every kind of reclaim (zero pages, free reports, merged
# read-only copies, eviction) and fault back against the tagged-TLB model.
set_source_files_properties(${SKIFF_LZ4_SRC}/lib/lz4.c PROPERTIES COMPILE_OPTIONS "-w")
skiff_host_test(evict_store_test
  ${CMAKE_SOURCE_DIR}/tests/unit/evict_store_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/evict/zpool.c
  ${CMAKE_SOURCE_DIR}/hypervisor/evict/swap_space.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_bitmap.c
  ${CMAKE_SOURCE_DIR}/lib/format.c
  ${SKIFF_LZ4_SRC}/lib/lz4.c)
target_include_directories(evict_store_test PRIVATE ${SKIFF_GENERIC_INCLUDE})
skiff_host_test(evict_random_test
  ${CMAKE_SOURCE_DIR}/tests/unit/evict_random_test.c
  ${CMAKE_SOURCE_DIR}/tests/unit/tlb_model.c
  ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_testlib.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/mem_invalidate.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_bitmap.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/share_table.c
  ${CMAKE_SOURCE_DIR}/hypervisor/evict/zpool.c
  ${CMAKE_SOURCE_DIR}/hypervisor/evict/swap_space.c
  ${CMAKE_SOURCE_DIR}/lib/format.c
  ${CMAKE_SOURCE_DIR}/nested_paging/nested_paging.c
  ${CMAKE_SOURCE_DIR}/ept/ept_format.c
  ${CMAKE_SOURCE_DIR}/npt/npt_format.c
  ${SKIFF_LZ4_SRC}/lib/lz4.c)
target_include_directories(evict_random_test PRIVATE ${SKIFF_GENERIC_INCLUDE})
