#!/bin/bash
# SPDX-License-Identifier: MIT
# smap as a daemon (no -f) logs to syslog, and nothing goes to its closed
# stderr (issue 14): in a mount namespace of its own with a private /dev
# (tmpfs: null, zero, random, urandom, net/tun) whose /dev/log is a
# listener of this test, smap1 starts as a daemon; its start is logged at
# daemon.info; a SIGHUP with a broken smap.conf logs every configuration
# error (file:line: key) and "reload failed" at daemon.err / warning, and
# the running smap keeps working; SIGTERM stops it, logged.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

CONF=$E2E_TMP/smap1.conf
SYSLOG=$E2E_TMP/syslog
READY=$E2E_TMP/listener.ready
LPID=$E2E_TMP/listener.pid

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

daemon_pid() {	# the smap started with $CONF
	local p
	for p in $(ip netns pids ap-smap1); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -F -- "-c $CONF" && { echo "$p"; return 0; }
	done
	return 1
}
restore() {
	local p
	p=$(daemon_pid) && kill -TERM "$p" && wait_for -t 10 sh -c "! [ -e /proc/$p ]"
	[ -s "$LPID" ] && kill "$(cat "$LPID")" 2>/dev/null
	smap_start 1 etc/testbed/smap1.conf || true
}
on_exit restore

cp "$ROOT/etc/testbed/smap1.conf" "$CONF"
smap_stop 1

# the private /dev, the listener, then smap (ip netns exec keeps our /dev)
unshare -m --propagation private sh -e -c '
	mount -t tmpfs -o mode=755 tmpfs /dev
	mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
	mkdir /dev/net; mknod -m 666 /dev/net/tun c 10 200
	"$0" -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
open(sys.argv[2], \"w\").write(str(os.getpid()))
open(sys.argv[1], \"w\").close()
with open(sys.argv[3], \"a\") as f:
    while True:
        f.write(s.recv(8192).decode(errors=\"replace\").rstrip(\"\\n\") + \"\\n\")
        f.flush()
" "$1" "$2" "$3" </dev/null >/dev/null 2>&1 &
	i=0; while [ ! -e "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	cd "$4" && exec ip netns exec ap-smap1 "$5" -c "$6" </dev/null
' "$PYTHON" "$READY" "$LPID" "$SYSLOG" "$ROOT" "$SMAP" "$CONF"

# syslog lines: <PRI>... with PRI = facility daemon (3) * 8 + severity
if wait_for -t 10 grep -q '^<30>.*smap\[[0-9]*\]: started' "$SYSLOG" && daemon_pid >/dev/null &&
    wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET"; then
	pass "smap as a daemon logs its start to syslog at daemon.info; h11 reaches $INET"
else
	fail "smap as a daemon logs to syslog" "$(oneline "$(cat "$SYSLOG" 2>&1)")"
fi

printf 'colour = "blue";\nhop_limit = 999;\n' >>"$CONF"
n=$(wc -l <"$CONF")
kill -HUP "$(daemon_pid)"
if wait_for -t 10 grep -q 'reload failed; keeping the running configuration' "$SYSLOG" &&
    grep -q "^<27>.*smap\[[0-9]*\]: $CONF:$((n - 1)): colour: unknown key" "$SYSLOG" &&
    grep -q "^<27>.*smap\[[0-9]*\]: $CONF:$n: hop_limit: " "$SYSLOG" &&
    grep -q '^<28>.*reload failed' "$SYSLOG"; then
	pass "a refused reload as a daemon: every error (file:line: key) to syslog at daemon.err, not to the closed stderr"
else
	fail "a refused reload as a daemon: errors to syslog" "$(oneline "$(tail -5 "$SYSLOG" 2>&1)")"
fi
daemon_pid >/dev/null && wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET" &&
	pass "smap runs on with its configuration" || fail "smap runs on with its configuration" ""

p=$(daemon_pid)
kill -TERM "$p"
if wait_for -t 10 sh -c "! [ -e /proc/$p ]" && wait_for -t 5 grep -q '^<30>.*smap\[[0-9]*\]: stopping' "$SYSLOG"; then
	pass "SIGTERM: smap stops, logged to syslog"
else
	fail "SIGTERM: smap stops, logged" "$(oneline "$(tail -3 "$SYSLOG" 2>&1)")"
fi
