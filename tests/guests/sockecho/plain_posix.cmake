# plain_posix.cmake - each of SOURCES ('|'-separated) compiles and links
# unchanged with the host's C compiler (strict C11 with warnings as errors:
# no Skiff header, no lwIP, nothing but POSIX) and with skiff-cc into a
# guest image. Then HOST_RUN (host_run.sh) runs the host builds of
# sockecho, sockclient and sockerrors against each other on the loopback
# interface: the expectations the boot test net_sockets has of Skiff's
# socket layer hold under Linux too.
# Run as: cmake -DHOST_CC=cc -DSKIFF_CC=<build>/bin/skiff-cc
#   -DSOURCES="a.c|b.c" -DHOST_RUN=host_run.sh -P plain_posix.cmake
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
execute_process(COMMAND bash ${HOST_RUN} ${dir} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
file(REMOVE_RECURSE ${dir})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the host builds failed against each other on loopback:\n${out}")
endif()
message(STATUS "on the host:\n${out}")
