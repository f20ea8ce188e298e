# run_proof.cmake - boot the libc proof guest on Skiff and require both its
# exit status 0 and its SUCCESS line (either alone could hide a failure).
# Run as: cmake -DRUN=tools/skiff-run -DELF=libc_proof.elf -P run_proof.cmake
execute_process(COMMAND timeout -k 5 120 ${RUN} ${ELF}
                OUTPUT_VARIABLE console ERROR_VARIABLE log RESULT_VARIABLE rc)
message("${console}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "libc_proof: skiff-run exited with ${rc}\n${log}")
endif()
if(NOT console MATCHES "(^|\n)libc_proof: SUCCESS\n")
  message(FATAL_ERROR "libc_proof: no SUCCESS line\n${log}")
endif()
