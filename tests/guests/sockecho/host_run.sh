#!/bin/bash
# host_run.sh DIR - runs the host builds of sockecho, sockclient and
# sockerrors (DIR/NAME.host, from plain_posix.cmake) on the loopback
# interface, with the arguments the boot test net_sockets gives them on
# Skiff: the same programs, the same expectations, under Linux. Ports come
# from the process id, in 20000-59999. Exit 0 when all three print SUCCESS
# and exit 0.
set -u
dir=$1
base=$((20000 + ($$ % 4000) * 10))
port=$base closed=$((base + 1)) local=$((base + 5))
"$dir/sockecho.host" "$port" 3 > "$dir/server.out" 2>&1 &
server=$!
for _ in $(seq 50); do   # until it listens (at most 5 s)
	grep -q "listening" "$dir/server.out" && break
	sleep 0.1
done
status=0
"$dir/sockclient.host" 127.0.0.1 "$port" "$closed" || status=1
"$dir/sockerrors.host" 127.0.0.1 "$port" "$closed" "$local" > "$dir/errors.out" || status=1
grep -v '^ok ' "$dir/errors.out"
# The server ends after the three connections (a killed one fails wait).
( sleep 10; kill "$server" ) > /dev/null 2>&1 &
killer=$!
wait "$server" || status=1
kill "$killer" 2> /dev/null
cat "$dir/server.out"
grep -q "^SUCCESS" "$dir/server.out" || status=1
exit $status
