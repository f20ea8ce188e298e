# plain_posix.cmake - each of SOURCES ('|'-separated) compiles and links
# unchanged with the host's C compiler (strict C11 with warnings as errors:
# no Skiff header, no lwIP, nothing but POSIX) and with skiff-cc into a
# guest image. Run as: cmake -DHOST_CC=cc -DSKIFF_CC=<build>/bin/skiff-cc
#   -DSOURCES="a.c|b.c" -P plain_posix.cmake
string(REPLACE "|" ";" sources "${SOURCES}")
execute_process(COMMAND mktemp -d /tmp/skiff-posix.XXXXXX
                OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE)
foreach(source IN LISTS sources)
  get_filename_component(name ${source} NAME_WE)
  execute_process(COMMAND ${HOST_CC} -std=c11 -Wall -Wextra -Werror -O2 ${source}
                          -o ${dir}/${name}.host
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${dir})
    message(FATAL_ERROR "${name}: the host compiler refused it:\n${out}")
  endif()
  execute_process(COMMAND ${SKIFF_CC} -std=c11 -Wall -Wextra -Werror -O2 --net service
                          ${source} -o ${dir}/${name}.elf
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${dir}/${name}.elf)
    file(REMOVE_RECURSE ${dir})
    message(FATAL_ERROR "${name}: skiff-cc refused it:\n${out}")
  endif()
  message(STATUS "${name}: built by the host compiler and by skiff-cc")
endforeach()
file(REMOVE_RECURSE ${dir})
