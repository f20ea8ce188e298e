#!/bin/sh
# check_image.sh IMAGE - the build's checks of the linked hypervisor image.
# Fails (and deletes IMAGE, so the next build relinks instead of trusting
# it) when GRUB would not accept it as multiboot2, or when it uses SSE/AVX
# registers: the hypervisor must not touch XMM/YMM, which hold guest state.
image="$1"
if ! grub-file --is-x86-multiboot2 "$image"; then
	echo "check_image: $image is not a valid multiboot2 image" >&2
	rm -f "$image"
	exit 1
fi
sse=$(objdump -d --no-show-raw-insn "$image" | grep -E '%[xyz]mm[0-9]' | head -5)
if [ -n "$sse" ]; then
	echo "check_image: $image uses SSE/AVX registers:" >&2
	echo "$sse" >&2
	rm -f "$image"
	exit 1
fi
exit 0
