#!/bin/sh
# check_image.sh IMAGE - the build's checks of the linked hypervisor image.
# Fails (and deletes IMAGE, so the next build relinks instead of trusting
# it) when GRUB would not accept it as multiboot2, or when it uses SSE/AVX
# registers: the hypervisor must not touch XMM/YMM, which hold guest state.
# One function is let through: frame_zero (hypervisor/mem/frame_zero.c)
# stores with XMM0 and puts the guest's value back before it returns.
image="$1"
if ! grub-file --is-x86-multiboot2 "$image"; then
	echo "check_image: $image is not a valid multiboot2 image" >&2
	rm -f "$image"
	exit 1
fi
sse=$(objdump -d --no-show-raw-insn "$image" |
	awk '/^[0-9a-f]+ <.*>:$/ { skip = ($2 == "<frame_zero>:") } !skip' |
	grep -E '%[xyz]mm[0-9]' | head -5)
if [ -n "$sse" ]; then
	echo "check_image: $image uses SSE/AVX registers:" >&2
	echo "$sse" >&2
	rm -f "$image"
	exit 1
fi
exit 0
