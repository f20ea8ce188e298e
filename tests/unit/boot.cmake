# Host unit tests of the boot path and lib/.
skiff_host_test(lib_format_test ${CMAKE_SOURCE_DIR}/tests/unit/lib_format_test.c
                ${CMAKE_SOURCE_DIR}/lib/format.c)
skiff_host_test(lib_parse_test ${CMAKE_SOURCE_DIR}/tests/unit/lib_parse_test.c
                ${CMAKE_SOURCE_DIR}/lib/parse.c)
skiff_host_test(boot_multiboot2_test ${CMAKE_SOURCE_DIR}/tests/unit/boot_multiboot2_test.c
                ${CMAKE_SOURCE_DIR}/hypervisor/boot/multiboot2.c ${CMAKE_SOURCE_DIR}/lib/format.c)
skiff_host_test(boot_options_test ${CMAKE_SOURCE_DIR}/tests/unit/boot_options_test.c
                ${CMAKE_SOURCE_DIR}/hypervisor/options.c ${CMAKE_SOURCE_DIR}/lib/format.c
                ${CMAKE_SOURCE_DIR}/lib/parse.c)
skiff_host_test(boot_frame_bitmap_test ${CMAKE_SOURCE_DIR}/tests/unit/boot_frame_bitmap_test.c
                ${CMAKE_SOURCE_DIR}/hypervisor/mem/frame_bitmap.c)
skiff_host_test(boot_time_math_test ${CMAKE_SOURCE_DIR}/tests/unit/boot_time_math_test.c
                ${CMAKE_SOURCE_DIR}/hypervisor/time/time_math.c)
