/*
 * default_manifest.c - the manifest of an appliance that declares no
 * devices: only the reserved entry 0. This file is a member of the runtime
 * archive and is linked only when the appliance does not define
 * skiff_manifest_note itself (see skiff_manifest.h).
 */
#include "skiff_manifest.h"

SKIFF_MANIFEST_NONE;
