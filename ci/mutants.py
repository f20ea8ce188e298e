#!/usr/bin/env python3
"""Apply deliberate breakages (mutants) one at a time and check a test catches each.

  ci/mutants.sh [--work DIR] [--only NAME...] [--list]

Each mutant names the protection it removes, the source edit that removes
it, and the tests that must notice. The tree is exported (git archive of
HEAD) into DIR (default /tmp/skiff-mutants), built there once, and for
every mutant the edited files are changed, rebuilt incrementally, the
tests are run, and the files are restored: the real source tree is never
touched, whatever happens. Prints a table "mutant | caught by | missed by"
and exits 1 when any mutant is caught by none of its tests (or could not be
applied). Not part of the default test run: it takes a while.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))

# name: (why, [(file, old text, new text)...], [tests...]); a test is
# "unit.NAME" / any CTest name (run with ctest -R ^NAME$), or
# "boot:PLATFORM:CASE" (ci/boot_test.py).
MUTANTS = {
    "evict-restore-nothing": (
        "a page evicted to the pool or swap comes back as zeros, its contents dropped",
        [("hypervisor/vm/reclaim/vm_evict.c",
          "rc = evict_store_get((uint8_t)where, *slot, (void *)(uintptr_t)hpa);",
          "rc = 0;\n\tevict_store_drop((uint8_t)where, *slot);")],
        ["boot.qemu-svm.swap-overcommit", "boot.bochs-vmx.swap-overcommit"]),
    "drop-fxsave": (
        "the FPU switch never saves the guest's x87/SSE registers",
        [("hypervisor/vm/fpu.c", '__asm__ volatile("fxsave64 (%0)" : : "r"(from) : "memory");', ";")],
        ["boot:qemu-svm:iso_fpu", "boot:bochs-vmx:iso_fpu"]),
    "drop-fxrstor": (
        "the FPU switch never loads the next guest's x87/SSE registers",
        [("hypervisor/vm/fpu.c", '__asm__ volatile("fxrstor64 (%0)" : : "r"(to) : "memory");', ";")],
        ["boot:qemu-svm:iso_fpu", "boot:bochs-vmx:iso_fpu"]),
    "no-zeroing-4k": (
        "a frame handed to a guest on first touch is not zeroed",
        [("hypervisor/mem/frames.c", "memset((void *)(uintptr_t)(frame * FRAME_SIZE), 0, FRAME_SIZE);",
          ";")],
        ["boot:qemu-svm:iso_ram", "boot:bochs-vmx:iso_ram"]),
    "no-zeroing-pool": (
        "the 2 MiB frames of the zeroed pool are not zeroed at idle time",
        [("hypervisor/vm/vm_memory.c",
          "memset((void *)(uintptr_t)(pool_filling + pool_filled), 0, POOL_STEP);", ";")],
        ["boot:qemu-svm:iso_ram_pool", "boot:bochs-vmx:iso_ram_pool"]),
    "no-zeroing-anywhere": (
        "neither 4 KiB frames nor the pool's 2 MiB frames are zeroed",
        [("hypervisor/mem/frames.c", "memset((void *)(uintptr_t)(frame * FRAME_SIZE), 0, FRAME_SIZE);",
          ";"),
         ("hypervisor/vm/vm_memory.c",
          "memset((void *)(uintptr_t)(pool_filling + pool_filled), 0, POOL_STEP);", ";")],
        ["boot:qemu-svm:iso_ram", "boot:bochs-vmx:iso_ram", "boot:qemu-svm:iso_ram_pool"]),
    "ignore-asids": (
        "asids= is parsed but ignored",
        [("x86_svm/svm_cpu.c", "svm_asid_init(svm_caps.asid_count, skiff_options.max_tags);",
          "svm_asid_init(svm_caps.asid_count, 0);")],
        ["boot:qemu-svm:iso_tags", "boot:qemu-svm:sched_asids"]),
    "skip-recycle-flush": (
        "a recycled ASID/VPID generation does not flush",
        [("hal/tag_pool.c", "result = TAG_FLUSH_ALL;", "result = TAG_FRESH;")],
        ["unit.tag_pool", "boot:qemu-svm:iso_tags"]),
    "vmx-cr8-passes": (
        "VMX: MOV to/from CR8 reaches the real APIC TPR",
        [("x86_vmx/vmx_caps.c", "PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | ", "")],
        ["boot:bochs-vmx:iso_cr8_vmx", "unit.vmx_caps_test"]),
    "vmx-cd-nw-guest-owned": (
        "VMX: CR0.CD/NW are left to the guest",
        [("x86_vmx/vmx_vmcs.c", "vmx_caps.cr0_fixed1) | CR0_CD_NW },", "vmx_caps.cr0_fixed1) },")],
        ["boot:bochs-vmx:iso_cd_vmx"]),
    "vmx-mov-dr-passes": (
        "VMX: MOV DR does not exit",
        [("x86_vmx/vmx_caps.c", "PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |",
          "PROC_CR8_STORE_EXITING |")],
        ["boot:bochs-vmx:iso_denied", "unit.vmx_caps_test"]),
    "vmx-monitor-passes": (
        "VMX: MONITOR does not exit",
        [("x86_vmx/vmx_caps.c", "PROC_MWAIT_EXITING | PROC_MONITOR_EXITING, 0 };",
          "PROC_MWAIT_EXITING, 0 };")],
        ["boot:bochs-vmx:iso_denied", "unit.vmx_caps_test"]),
    "vmx-timer-without-save": (
        "VMX: the preemption timer is used without 'save timer value'",
        [("x86_vmx/vmx_caps.c", "\tif (!(caps->exit & EXIT_SAVE_PREEMPTION_TIMER))\n\t\tcaps->pin &= ~PIN_PREEMPTION_TIMER;\n", "")],
        ["unit.vmx_caps_test", "boot:bochs-vmx:iso_exit_storm"]),
    "no-slice-deadline": (
        "a slice ends only by the timer's interrupt, never at an exit past its deadline",
        [("hypervisor/vm/vm_exit.c", "if ((++exits & 63) == 0 && tsc_read() >= vm->slice_deadline) {",
          "if (0 && ++exits) {")],
        ["boot:bochs-vmx:iso_exit_storm"]),
    "svm-dr-passes": (
        "SVM: writes to DR0 are not intercepted",
        [("x86_svm/svm_intercepts.c", '{ "DR0 write", VMCB_WORD_DR, 16 },', "")],
        ["boot:qemu-svm:iso_denied_qemu", "unit.svm_setup_test"]),
    "svm-rdpmc-passes": (
        "SVM: RDPMC is not intercepted",
        [("x86_svm/svm_intercepts.c", '{ "RDPMC",       VMCB_WORD_MISC1, 15 },', "")],
        ["boot:qemu-svm:iso_denied_qemu", "unit.svm_setup_test"]),
    "svm-wbinvd-passes": (
        "SVM: WBINVD is not intercepted",
        [("x86_svm/svm_intercepts.c", '{ "WBINVD",      VMCB_WORD_MISC2, 9 },', "")],
        ["boot:qemu-svm:iso_denied_qemu", "unit.svm_setup_test"]),
    "svm-mc-passes": (
        "SVM: #MC is not intercepted",
        [("x86_svm/svm_intercepts.c", '{ "#MC",         VMCB_WORD_EXCEPTION, 18 },', "")],
        ["unit.svm_setup_test"]),
    "pkru-not-switched": (
        "PKRU is not switched between guests",
        [("hypervisor/vm/fpu.c", "pkru_switched = true;", "pkru_switched = false;")],
        ["boot:qemu-svm:iso_pkru"]),
    "xcr0-not-pinned": (
        "XCR0 is left as the firmware set it",
        [("hypervisor/vm/fpu.c", "xsetbv0(XCR0_X87_SSE);", ";")],
        ["boot:bochs-svm:iso_xcr0", "boot:bochs-vmx:iso_xcr0"]),
    "cpuid-offers-pku": (
        "CPUID leaf 7 offers PKU, OSPKE and WAITPKG",
        [("hypervisor/vm/cpuid_policy.c", "r->ecx &= ~(LEAF7_ECX_PKU | LEAF7_ECX_OSPKE | LEAF7_ECX_WAITPKG);", ";")],
        ["unit.hypercall"]),
    "ept-honours-guest-pat": (
        "EPT leaves let the guest's PAT pick the memory type",
        [("ept/ept_format.c", ".leaf_bits = EPT_MEMTYPE_WB | EPT_IGNORE_PAT,", ".leaf_bits = EPT_MEMTYPE_WB,")],
        ["unit.nested_paging_test"]),
    "puts-unbounded": (
        "one PUTS writes all its bytes in one exit",
        [("hypervisor/vm/hypercall.c", "if (len > HYPERCALL_PUTS_CHUNK) {", "if (0) {")],
        ["boot:qemu-svm:iso_puts", "unit.hypercall"]),
    "guest-table-unbounded": (
        "add_vm and the module loop ignore the 1024-guest bound",
        [("hypervisor/sched/guests.c", "if (vm_count >= MAX_VMS) {", "if (0) {"),
         ("hypervisor/sched/guests.c", "if (vm_count < MAX_VMS)\n\t\treturn true;", "if (1)\n\t\treturn true;")],
        ["boot:qemu-svm:iso_guest_cap"]),
    "c1-controls-pass": (
        "C1 control bytes reach the log",
        [("hypervisor/vm/vm_end.c", "if (is_c1_control(", "if (0 && is_c1_control(")],
        ["unit.vm_end_test"]),
    "nmi-panics": (
        "a physical NMI goes to the exception handler (a panic) instead of being counted",
        [("hypervisor/boot/idt.c", "set_gate(VECTOR_NMI, (uint64_t)(uintptr_t)nmi_stub);", ";")],
        ["boot:qemu-svm:iso_nmi", "boot:bochs-vmx:iso_nmi_ap", "boot:bochs-svm:iso_nmi_ap"]),
    "vmx-nmi-not-taken": (
        "VMX: after an NMI exit the host's NMI handler is not run (the NMI goes uncounted)",
        [("x86_vmx/vmx_exit.c", '__asm__ volatile("int $2" : : : "memory");', ";")],
        ["boot:bochs-vmx:iso_nmi_ap"]),
    "hostile-fault-any-reason": (
        "the triple-fault exit is reported as an unhandled exit instead",
        [("hypervisor/vm/vm_exit.c", 'vm_end(vm, 1, VM_END_KILLED, "triple fault at rip 0x%llx"',
          'vm_end(vm, 1, VM_END_KILLED, "odd end at rip 0x%llx"')],
        ["boot:qemu-svm:hostile_fault"]),
}


def run(cmd, cwd, log, timeout=None):
    """Run cmd in cwd, appending its output to log; return the exit status."""
    with open(log, "a") as out:
        out.write("\n$ %s\n" % " ".join(cmd))
        out.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            out.write("(timed out)\n")
            return 124


def export_tree(work):
    """Make work/src hold the tracked files of the source tree (uncommitted edits included).

    A file is written only when its bytes differ from the copy already there, and then with
    a fresh modification time, so an existing build in work/build rebuilds exactly what
    changed (never trusting an old object because the source kept an old timestamp).
    """
    src = os.path.join(work, "src")
    os.makedirs(src, exist_ok=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.split(b"\0")
    for name in files:
        if not name:
            continue
        rel = name.decode()
        origin, dest = os.path.join(REPO, rel), os.path.join(src, rel)
        if not os.path.isfile(origin):
            continue
        with open(origin, "rb") as f:
            data = f.read()
        if os.path.isfile(dest):
            with open(dest, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)
        shutil.copymode(origin, dest)
    return src


class NotRun(Exception):
    """A test that could not be run at all: it proves nothing either way."""


def run_test(test, src, build, log):
    """Return True when test passes on the mutated build; raise NotRun when it cannot run."""
    if test.startswith("boot:"):
        _, platform, case = test.split(":")
        status = run([sys.executable, "ci/boot_test.py", "--build", build, "--platform", platform,
                      "--test", case], src, log, timeout=900)
        if status == 2:
            raise NotRun(test)
        return status == 0
    listed = subprocess.run(["ctest", "--test-dir", build, "-N", "-R", "^%s$" % test.replace(".", r"\.")],
                            capture_output=True, text=True).stdout
    if "Total Tests: 1" not in listed:
        raise NotRun(test)
    return run(["ctest", "--test-dir", build, "-R", "^%s$" % test.replace(".", r"\.")],
               src, log, timeout=900) == 0


def try_mutant(name, spec, src, build, log):
    """Apply, build, test and restore one mutant; return (caught_by, missed_by, problem)."""
    _why, edits, tests = spec
    saved = {}
    for path, old, new in edits:
        full = os.path.join(src, path)
        text = saved.get(path) or open(full).read()
        saved.setdefault(path, text)
        current = open(full).read()
        if old not in current:
            for p, t in saved.items():
                open(os.path.join(src, p), "w").write(t)
            return [], [], "edit not applicable in %s" % path
        open(full, "w").write(current.replace(old, new, 1))
    try:
        if run(["ninja", "-C", build, "-j2"], src, log) != 0:
            return [], [], "the mutant does not build"
        caught, missed = [], []
        for test in tests:
            try:
                (missed if run_test(test, src, build, log) else caught).append(test)
            except NotRun:
                return caught, missed, "test %s cannot run" % test
        return caught, missed, None
    finally:
        for path, text in saved.items():
            open(os.path.join(src, path), "w").write(text)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/skiff-mutants")
    parser.add_argument("--only", nargs="*", help="mutant names (default: all)")
    parser.add_argument("--list", action="store_true")
    opts = parser.parse_args(argv)
    if opts.list:
        for name, (why, _, tests) in MUTANTS.items():
            print("%-26s %s  [%s]" % (name, why, ", ".join(tests)))
        return 0
    names = opts.only or list(MUTANTS)
    unknown = [n for n in names if n not in MUTANTS]
    if unknown:
        parser.error("unknown mutants: %s" % unknown)
    os.makedirs(opts.work, exist_ok=True)
    log = os.path.join(opts.work, "mutants.log")
    open(log, "w").close()
    src = export_tree(opts.work)
    build = os.path.join(opts.work, "build")
    print("mutants: building the unmutated tree in %s (log %s)" % (build, log), flush=True)
    if (run(["cmake", "-S", src, "-B", build, "-G", "Ninja"], src, log) != 0 or
            run(["ninja", "-C", build, "-j2"], src, log) != 0):
        print("mutants: the unmutated tree does not build; see %s" % log)
        return 2
    rows, failed = [], 0
    for name in names:
        start = time.time()
        caught, missed, problem = try_mutant(name, MUTANTS[name], src, build, log)
        ok = bool(caught) and problem is None
        failed += not ok
        row = "| %s | %s | %s | %s |" % (name, ", ".join(caught) or "-",
                                          ", ".join(missed) or "-",
                                          "caught" if ok else "NOT CAUGHT" + (": " + problem if problem else ""))
        rows.append(row)
        print("%s  (%.0f s)" % (row, time.time() - start), flush=True)
    run(["ninja", "-C", build, "-j2"], src, log)
    print("\n| mutant | caught by | passed anyway | verdict |\n| --- | --- | --- | --- |")
    print("\n".join(rows))
    print("\nmutants: %d of %d caught" % (len(rows) - failed, len(rows)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
