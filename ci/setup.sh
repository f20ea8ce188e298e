# ci/setup.sh: shared steps of ci/test.sh and ci/demo.sh (sourced, not run).
# Installs what is missing (Debian 12, as root, non-interactive) and builds
# a fresh build/ in the repository.

SKIFF_PACKAGES=(qemu-system-x86 grub-pc-bin grub-common xorriso mtools bochs bochsbios
                vgabios bochs-term newlib-source cmake ninja-build gcc clang libclang-rt-14-dev
                python3 binutils util-linux bsdutils grub-efi-amd64-bin ovmf ipxe-qemu gdb)

# skiff_install_packages: apt-get install the packages that are not installed yet.
skiff_install_packages() {
  local missing=() package
  for package in "${SKIFF_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "== all needed packages are installed"
    return
  fi
  echo "== installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages and not root; install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# skiff_build DIR: configure DIR with Ninja unless it already is, then bring
# it up to date (ninja rebuilds only what changed: nothing, the second time).
skiff_build() {
  local build="$1"
  if [ ! -f "$build/build.ninja" ]; then
    echo "== configuring $build"
    cmake -S . -B "$build" -G Ninja
  fi
  echo "== building what changed in $build"
  ninja -C "$build" -j2
}

# skiff_fresh_build DIR: remove DIR, configure it with Ninja and build everything.
skiff_fresh_build() {
  local build="$1"
  echo "== configuring a fresh $build"
  rm -rf "$build"
  cmake -S . -B "$build" -G Ninja
  echo "== building"
  ninja -C "$build" -j2
}
