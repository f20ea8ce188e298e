# Host tests of the nested-paging engine and both entry formats (owner:
# nested paging). Every case runs through EPT and NPT.
set(np_sources ${CMAKE_SOURCE_DIR}/nested_paging/nested_paging.c
               ${CMAKE_SOURCE_DIR}/ept/ept_format.c
               ${CMAKE_SOURCE_DIR}/npt/npt_format.c
               ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_testlib.c)

skiff_host_test(nested_paging_test
                ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_test.c ${np_sources})
skiff_host_test(nested_paging_random_test
                ${CMAKE_SOURCE_DIR}/tests/unit/nested_paging_random_test.c
                ${np_sources})

# Not a test: an optimised program for instruction counts under callgrind.
add_executable(np_bench ${CMAKE_SOURCE_DIR}/tests/unit/np_bench.c ${np_sources})
target_compile_options(np_bench PRIVATE -std=c11 -O2 -g -DSKIFF_HOSTED
                       ${SKIFF_WARNINGS})
target_include_directories(np_bench PRIVATE ${CMAKE_SOURCE_DIR}
                           ${CMAKE_SOURCE_DIR}/tests/unit)
