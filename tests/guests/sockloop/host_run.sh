#!/bin/bash
# host_run.sh DIR - runs the host build DIR/sockloop.host (from
# plain_posix.cmake) with the host's first address as its own (127.0.0.1
# when it has none): the boot test net_loopback's expectations hold under
# Linux. Ports come from the process id.
set -u
port=$((20000 + ($$ % 4000) * 10 + 5))
own=$(hostname -I 2> /dev/null | tr ' ' '\n' | grep -m1 -E '^[0-9]+(\.[0-9]+){3}$')
"$1/sockloop.host" "${own:-127.0.0.1}" "$port"
