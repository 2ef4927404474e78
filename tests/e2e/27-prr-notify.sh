#!/bin/bash
# SPDX-License-Identifier: MIT
# prr's readiness for systemd's Type=notify (common/notify.c): with
# $NOTIFY_SOCKET set, READY=1 once its control socket serves, RELOADING=1
# (with MONOTONIC_USEC) and READY=1 again around a SIGHUP, STOPPING=1 at
# SIGTERM. A listener stands in for systemd: a unix datagram socket that
# writes each message as one line, and whether prr's control socket
# accepted a connection at the moment READY=1 came.
. "$(dirname "$0")/lib.sh"

restore() { NOTIFY_SOCKET="" "$TESTBED" restart prr >/dev/null 2>&1 || true; }
on_exit restore

have_prr || { fail prr-running "the testbed's prr is not running"; exit 1; }

SOCK=$E2E_TMP/notify
MSGS=$(tmpfile)
"$PYTHON" - "$SOCK" "$MSGS" "$PRR_SOCK" <<'PY' &
import os, socket, sys
path, out, ctl = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)	# prr sends as ap-testbed, as to systemd's socket
with open(out, "a") as f:
    while True:
        m = s.recv(4096).decode(errors="replace").replace("\n", " ")
        if m.startswith("READY=1"):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(ctl); m += " ctl=up"
            except OSError as e:
                m += " ctl=down(%s)" % e.strerror
            c.close()
        f.write(m + "\n"); f.flush()
PY
BG_PIDS="$BG_PIDS $!"
wait_for test -S "$SOCK" || { fail "notify listener" "no socket $SOCK"; exit 1; }

count() { grep -c -- "$1" "$MSGS" || true; }
at_least() { [ "$(count "$2")" -ge "$1" ]; }	# at_least N PATTERN: for wait_for

NOTIFY_SOCKET=$SOCK "$TESTBED" restart prr >/dev/null
wait_for at_least 1 '^READY=1' &&
	pass "READY=1 at start" || fail "READY=1 at start" "messages: $(oneline "$(cat "$MSGS")")"
[ "$(count '^READY=1 ctl=up')" -ge 1 ] && pass "READY=1 only once the control socket serves" ||
	fail "READY=1 only once the control socket serves" "$(oneline "$(cat "$MSGS")")"

kill -HUP "$(cat "$RUN/prr.pid")"
wait_for at_least 2 '^READY=1' &&
	pass "READY=1 again after a reload" || fail "READY=1 again after a reload" "$(oneline "$(cat "$MSGS")")"
grep -q '^RELOADING=1 MONOTONIC_USEC=[0-9][0-9]*$' "$MSGS" &&
	[ "$(grep -n -m1 '^RELOADING=1' "$MSGS" | cut -d: -f1)" -lt "$(grep -n '^READY=1' "$MSGS" | sed -n 2p | cut -d: -f1)" ] &&
	pass "RELOADING=1 with MONOTONIC_USEC before it" ||
	fail "RELOADING=1 with MONOTONIC_USEC before it" "$(oneline "$(cat "$MSGS")")"

restore	# SIGTERM to the prr that has $NOTIFY_SOCKET
wait_for at_least 1 '^STOPPING=1' &&
	pass "STOPPING=1 at SIGTERM" || fail "STOPPING=1 at SIGTERM" "$(oneline "$(cat "$MSGS")")"
