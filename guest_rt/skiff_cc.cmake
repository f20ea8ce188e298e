# skiff_cc.cmake - generates <build>/bin/skiff-cc from tools/skiff-cc.
#
# Two passes: configure_file fills in this build's paths (@SKIFF_CC_...@),
# then file(GENERATE) fills in the runtime's object and archive paths,
# which only generator expressions know. The target skiff_cc builds what
# the script links (the runtime, the glue, newlib), so `ninja` leaves a
# usable bin/skiff-cc.
# Included from guest_rt/CMakeLists.txt, after newlib/, libc/ and lwip/.

find_program(SKIFF_NM NAMES ${CMAKE_NM} nm REQUIRED)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE SKIFF_CC_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-libgcc-file-name
                OUTPUT_VARIABLE SKIFF_CC_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)
set(SKIFF_CC_GCC ${CMAKE_C_COMPILER})
set(SKIFF_CC_SOURCE_DIR ${CMAKE_SOURCE_DIR})
set(SKIFF_CC_NEWLIB ${CMAKE_BINARY_DIR}/newlib/install/x86_64-elf)
set(SKIFF_CC_COMPILER_INCLUDE ${SKIFF_COMPILER_INCLUDE})
set(SKIFF_CC_CMAKE ${CMAKE_COMMAND})
set(SKIFF_CC_READELF ${SKIFF_READELF})
set(SKIFF_CC_NM ${SKIFF_NM})
# Each object path single-quoted: one bash array element each.
set(SKIFF_CC_START_OBJECTS
    "'$<JOIN:$<TARGET_OBJECTS:skiff_rt_start>$<SEMICOLON>$<TARGET_OBJECTS:skiff_libc_start>,' '>'")
set(SKIFF_CC_RUNTIME "$<TARGET_FILE:skiff_rt>")
set(SKIFF_CC_GLUE "$<TARGET_FILE:skiff_libc_glue>")
set(SKIFF_CC_LWIP "$<TARGET_FILE:skiff_lwip>")
set(SKIFF_CC_SOCKETS "$<TARGET_FILE:skiff_sockets>")
set(SKIFF_CC_LWIP_INCLUDE ${SKIFF_LWIP_SRC}/src/include)

configure_file(${CMAKE_SOURCE_DIR}/tools/skiff-cc
               ${CMAKE_CURRENT_BINARY_DIR}/skiff-cc.in @ONLY)
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/bin/skiff-cc
     INPUT ${CMAKE_CURRENT_BINARY_DIR}/skiff-cc.in
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                      GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

add_custom_target(skiff_cc ALL)
add_dependencies(skiff_cc skiff_rt_start skiff_rt skiff_libc_glue
                 skiff_libc_start skiff_newlib_build skiff_lwip skiff_sockets)
