#!/bin/bash
# host_run.sh DIR - runs the host build DIR/udpsock.host (from
# plain_posix.cmake) as server and client on the loopback interface, with
# the checks the boot test net_udp_sockets makes on Skiff. The port comes
# from the process id, in 20000-59999. Exit 0 when both print SUCCESS and
# exit 0 (the client's last datagram, "quit", ends the server).
set -u
dir=$1
port=$((20000 + ($$ % 4000) * 10 + 2))
"$dir/udpsock.host" server "$port" > "$dir/server.out" 2>&1 &
server=$!
for _ in $(seq 50); do   # until it serves (at most 5 s)
	grep -q "serving" "$dir/server.out" && break
	sleep 0.1
done
status=0
"$dir/udpsock.host" client 127.0.0.1 "$port" > "$dir/client.out" 2>&1 || status=1
grep -v '^ok ' "$dir/client.out"
grep -q "^SUCCESS" "$dir/client.out" || { status=1; kill "$server"; }
wait "$server" || status=1
cat "$dir/server.out"
grep -q "^SUCCESS" "$dir/server.out" || status=1
exit $status
