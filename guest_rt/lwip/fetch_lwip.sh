#!/bin/sh
# fetch_lwip.sh DIR - put lwIP 2.1.3 from Debian's `lwip` source package into
# DIR/lwip-2.1.3, unmodified.
#
# `apt-get source` needs a deb-src entry; a private sources list (built from
# the machine's own deb URI) leaves the machine's apt configuration alone.
# The upstream tarball is checked against its known SHA-256 before use.
set -eu
dir=$1
sha=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
tarball=lwip_2.1.3+dfsg1.orig.tar.xz
mkdir -p "$dir"
cd "$dir"
if [ ! -f "$tarball" ]; then
	apt_dir=$(mktemp -d)
	mkdir -p "$apt_dir/lists"
	uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	if [ -z "$uri" ]; then
		uri=$(sed -n 's/^deb[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list | head -n 1)
	fi
	printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" >"$apt_dir/src.sources"
	opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir -o Dir::State::Lists=$apt_dir/lists"
	# shellcheck disable=SC2086
	apt-get $opts -qq update
	# shellcheck disable=SC2086
	apt-get $opts -qq source --download-only lwip
	rm -rf "$apt_dir"
fi
echo "$sha  $tarball" | sha256sum -c -
rm -rf lwip-2.1.3
tar xf "$tarball"
test -f lwip-2.1.3/src/core/init.c
