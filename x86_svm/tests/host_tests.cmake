# Host tests of the AMD SVM backend's portable parts: exit
# decoding, the VMRUN consistency checker, the guest's initial VMCB, the
# intercept table, the permission maps and the ASID allocator.
set(svm_dir ${CMAKE_SOURCE_DIR}/x86_svm)
set(svm_portable ${svm_dir}/svm_exit.c ${svm_dir}/svm_shadow.c ${svm_dir}/svm_exit_names.c
    ${svm_dir}/svm_check.c ${svm_dir}/svm_vmcb_init.c
    ${svm_dir}/svm_intercepts.c ${CMAKE_SOURCE_DIR}/lib/format.c)

skiff_host_test(svm_decode_test ${svm_dir}/tests/svm_decode_test.c
                ${svm_portable})
skiff_host_test(svm_check_test ${svm_dir}/tests/svm_check_test.c
                ${svm_portable})
skiff_host_test(svm_setup_test ${svm_dir}/tests/svm_setup_test.c
                ${svm_dir}/svm_intercepts.c ${svm_dir}/svm_maps.c ${svm_dir}/svm_asid.c ${CMAKE_SOURCE_DIR}/hal/tag_pool.c)
foreach(t svm_decode_test svm_check_test svm_setup_test)
  target_include_directories(${t} PRIVATE ${svm_dir} ${svm_dir}/tests)
endforeach()
