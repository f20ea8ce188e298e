# Disks: the GPT reader, region naming and claiming, IDENTIFY decoding.
skiff_host_test(gpt_test
  ${CMAKE_SOURCE_DIR}/tests/unit/gpt_test.c
  ${CMAKE_SOURCE_DIR}/drivers/disk/gpt.c
  ${CMAKE_SOURCE_DIR}/lib/format.c)
skiff_host_test(regions_test
  ${CMAKE_SOURCE_DIR}/tests/unit/regions_test.c
  ${CMAKE_SOURCE_DIR}/hypervisor/storage/regions.c
  ${CMAKE_SOURCE_DIR}/lib/format.c)
skiff_host_test(ata_identify_test
  ${CMAKE_SOURCE_DIR}/tests/unit/ata_identify_test.c
  ${CMAKE_SOURCE_DIR}/drivers/ata/ata_identify.c)
skiff_host_test(vring_layout_test
  ${CMAKE_SOURCE_DIR}/tests/unit/vring_layout_test.c
  ${CMAKE_SOURCE_DIR}/drivers/virtio/vring_layout.c)
