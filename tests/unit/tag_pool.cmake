# ASID/VPID recycling, on the host.
skiff_host_test(tag_pool
  ${CMAKE_SOURCE_DIR}/tests/unit/test_tag_pool.c
  ${CMAKE_SOURCE_DIR}/hal/tag_pool.c)
