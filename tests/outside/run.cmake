# run.cmake - the outside-tree test: build tests/outside/program.c in a
# fresh temporary folder outside the source and build trees with
# <build>/bin/skiff-cc, boot it with tools/skiff-run, and require its
# standard output to equal expected.txt and its exit status to be STATUS.
# Run as: cmake -DSKIFF_CC=... -DRUN=tools/skiff-run -DSOURCE_DIR=<repo>
#   -DBUILD_DIR=<build> -DCPU=amd|intel -DEMULATOR=qemu|bochs -DSTATUS=3
#   -DLIMIT=seconds -P run.cmake
set(here ${CMAKE_CURRENT_LIST_DIR})
execute_process(COMMAND mktemp -d /tmp/skiff-outside.XXXXXX
                OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mktemp failed")
endif()
foreach(tree ${SOURCE_DIR} ${BUILD_DIR})
  string(FIND "${dir}/" "${tree}/" inside)
  if(inside EQUAL 0)
    message(FATAL_ERROR "the temporary folder ${dir} is inside ${tree}")
  endif()
endforeach()

# fail(WHY): report, keep nothing behind.
function(fail why)
  file(REMOVE_RECURSE ${dir})
  message(FATAL_ERROR "${why}")
endfunction()

file(COPY ${here}/program.c DESTINATION ${dir})
execute_process(COMMAND ${SKIFF_CC} -O2 program.c -o program.elf -lm
                WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT EXISTS ${dir}/program.elf)
  fail("skiff-cc failed (${rc}) in ${dir}:\n${out}")
endif()

# Environment first (WHO), then "--", then the arguments; "X=2" after the
# "--" stays an argument.
execute_process(COMMAND timeout -k 5 ${LIMIT} ${RUN} --cpu ${CPU} --emulator ${EMULATOR}
                        program.elf WHO=outside -- one X=2
                WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc
                OUTPUT_VARIABLE console ERROR_VARIABLE log)
file(READ ${here}/expected.txt expected)
if(NOT console STREQUAL expected)
  fail("standard output differs.\n--- expected\n${expected}--- actual\n${console}--- log\n${log}")
endif()
if(NOT rc EQUAL STATUS)
  fail("exit status ${rc}, expected ${STATUS}\n${log}")
endif()
file(REMOVE_RECURSE ${dir})
message(STATUS "outside: program built in a temporary folder, output and status ${rc} as expected")
