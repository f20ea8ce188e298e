# Host tests of the guest loader (hypervisor/guest_*.c) and of the module
# command-line parser, built with ASan and UBSan by skiff_host_test.
set(GUEST_LOADER_SOURCES
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_image.c
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_elf.c
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_elf_notes.c
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_manifest.c
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_layout.c
  ${CMAKE_SOURCE_DIR}/lib/format.c
  ${CMAKE_SOURCE_DIR}/lib/parse.c)
# tests/guests/malformed builds its host check from the same sources.
set_property(GLOBAL PROPERTY SKIFF_GUEST_LOADER_SOURCES ${GUEST_LOADER_SOURCES})
set(GUEST_CMDLINE_SOURCES
  ${CMAKE_SOURCE_DIR}/hypervisor/loader/guest_cmdline.c
  ${CMAKE_SOURCE_DIR}/lib/format.c
  ${CMAKE_SOURCE_DIR}/lib/parse.c)
set(GUEST_TEST_ELF_BUILDER ${CMAKE_SOURCE_DIR}/tests/unit/test_elf_builder.c)

skiff_host_test(guest_image_test
  ${CMAKE_SOURCE_DIR}/tests/unit/guest_image_test.c
  ${GUEST_TEST_ELF_BUILDER} ${GUEST_LOADER_SOURCES})
skiff_host_test(guest_load_test
  ${CMAKE_SOURCE_DIR}/tests/unit/guest_load_test.c
  ${GUEST_TEST_ELF_BUILDER} ${GUEST_LOADER_SOURCES})
skiff_host_test(guest_cmdline_test
  ${CMAKE_SOURCE_DIR}/tests/unit/guest_cmdline_test.c
  ${GUEST_CMDLINE_SOURCES})
