# check_image.cmake - refuse a guest image Skiff would (or should) refuse.
# Run as: cmake -DELF=image.elf -DREADELF=readelf -P check_image.cmake
# Fails, deleting the image so nothing can boot it, when:
#  - any program header is writable and executable at once,
#  - there is no PT_LOAD, or the entry point is below 1 MiB,
#  - the Solo5 ABI note (0x31494241) or manifest note (0x3154464d) is missing.

function(refuse why)
  file(REMOVE ${ELF})
  message(FATAL_ERROR "guest image ${ELF}: ${why}")
endfunction()

execute_process(COMMAND ${READELF} -lW ${ELF} OUTPUT_VARIABLE segments
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  refuse("readelf -lW failed")
endif()
execute_process(COMMAND ${READELF} -nW ${ELF} OUTPUT_VARIABLE notes
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  refuse("readelf -n failed")
endif()

# Program header lines look like
#   LOAD 0x001000 0x0000000000100000 0x0000000000100000 0x0001a4 0x0001a4 R E 0x1000
# and the flags column is some of R, W, E separated by spaces.
string(REPLACE "\n" ";" lines "${segments}")
set(load_count 0)
foreach(line ${lines})
  if(line MATCHES "^ +([A-Z_]+) +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +([RWE ]+) +0x[0-9a-f]+$")
    set(type ${CMAKE_MATCH_1})
    set(flags ${CMAKE_MATCH_2})
    if(flags MATCHES "W" AND flags MATCHES "E")
      refuse("segment ${type} is writable and executable: ${line}")
    endif()
    if(type STREQUAL "LOAD")
      math(EXPR load_count "${load_count} + 1")
    endif()
  endif()
endforeach()
if(load_count EQUAL 0)
  refuse("no PT_LOAD segment")
endif()
if(NOT segments MATCHES "Entry point 0x([0-9a-f]+)")
  refuse("no entry point in readelf output")
endif()
math(EXPR entry "0x${CMAKE_MATCH_1}")
if(entry LESS 1048576)
  refuse("entry point 0x${CMAKE_MATCH_1} is below 1 MiB")
endif()

# readelf names notes it does not know by their type number.
if(NOT notes MATCHES "Solo5[ \t]+0x0*10[ \t]+Unknown note type: \\(0x31494241\\)")
  refuse("missing the Solo5 ABI note (owner Solo5, type 0x31494241, 16 bytes)")
endif()
if(NOT notes MATCHES "Solo5[ \t]+0x[0-9a-f]+[ \t]+Unknown note type: \\(0x3154464d\\)")
  refuse("missing the Solo5 manifest note (owner Solo5, type 0x3154464d)")
endif()
