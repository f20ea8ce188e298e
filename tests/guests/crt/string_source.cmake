# string_source.cmake - which memcpy/memset an image got, from its link map.
# Run as: cmake -DMAP=image.map -DEXPECT=newlib|runtime -P string_source.cmake
#  newlib:  newlib's libc.a supplied memcpy and memset, and the runtime's
#           lib/string.c (archive skiff_rt_string) was not pulled in at all;
#  runtime: lib/string.c was pulled in (a guest without a C library).
file(READ ${MAP} map)
string(FIND "${map}" "libskiff_rt_string.a(string.c.o)" runtime_string)
if(EXPECT STREQUAL "newlib")
  foreach(member lib_a-memcpy.o lib_a-memset.o)
    string(FIND "${map}" "libc.a(${member})" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${MAP}: ${member} did not come from newlib's libc.a")
    endif()
  endforeach()
  if(NOT runtime_string EQUAL -1)
    message(FATAL_ERROR "${MAP}: the runtime's lib/string.c was linked beside newlib")
  endif()
elseif(EXPECT STREQUAL "runtime")
  if(runtime_string EQUAL -1)
    message(FATAL_ERROR "${MAP}: lib/string.c missing from a guest without newlib")
  endif()
else()
  message(FATAL_ERROR "EXPECT must be newlib or runtime")
endif()
message(STATUS "${MAP}: string functions from ${EXPECT}")
