#!/bin/sh
# fetch_lz4.sh DIR - put LZ4 1.9.4 from Debian's `lz4` source package into
# DIR/lz4-1.9.4, unmodified.
#
# `apt-get source` needs a deb-src entry; a private sources list (built from
# the machine's own deb URI) leaves the machine's apt configuration alone.
# The upstream tarball is checked against its known SHA-256 before use.
set -eu
dir=$1
sha=0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b
tarball=lz4_1.9.4.orig.tar.gz
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
	apt-get $opts -qq source --download-only lz4
	rm -rf "$apt_dir"
fi
echo "$sha  $tarball" | sha256sum -c -
rm -rf lz4-1.9.4
tar xf "$tarball"
test -f lz4-1.9.4/lib/lz4.c
