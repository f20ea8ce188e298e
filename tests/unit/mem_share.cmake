# Host tests of free-page reporting's list check (hypervisor/mem/free_report.c).
skiff_host_test(mem_free_report_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_free_report_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/free_report.c)
# The refcounting of frames shared between guests of one image.
skiff_host_test(mem_share_table_test
  ${CMAKE_SOURCE_DIR}/tests/unit/mem_share_table_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/share_table.c)
# Guest pages from the top of memory (above 4 GiB first).
skiff_host_test(frame_bitmap_top_test
  ${CMAKE_SOURCE_DIR}/tests/unit/frame_bitmap_top_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_bitmap_top.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_bitmap.c)
# Copy-on-write clones: a snapshot's page kinds, a clone's detached bits
# and the frames' references through snapshot, copies, reports and ends.
skiff_host_test(clone_test
  ${CMAKE_SOURCE_DIR}/tests/unit/clone_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/clone/snap_pages.c
  ${CMAKE_SOURCE_DIR}/hypervisor/mem/share_table.c)
