# SPDX-License-Identifier: MIT
# lib.sh: helpers for the end-to-end tests, sourced by tests/e2e/NN-name.sh.
#
# A test assumes the testbed is up (scripts/testbed up), prints one line
# per assertion,
#
#   PASS: NAME
#   FAIL: NAME: DETAIL
#   SKIP: NAME: REASON
#
# and exits non-zero if any assertion failed or the script itself died
# (set -e: an unexpected error is a failure too, reported by the EXIT trap).
# Background jobs the test started are killed on exit.
#
#   tb NS CMD...              run CMD in namespace NS (ap-h11 or h11)
#   pass NAME / fail NAME DETAIL / skip NAME REASON
#   check NAME CMD...         pass if CMD succeeds, else fail with its output
#   check_fails NAME CMD...   pass if CMD fails
#   wait_for [-t SECS] CMD... poll CMD (every 0.1 s, default 5 s); 0 if it succeeded
#   wait_ge [-t SECS] MIN CMD...  poll until CMD prints a number >= MIN
#   capture NS IFACE FILE FILTER...  tcpdump to FILE in the background; returns
#                             once it listens (pid in $BG_PID)
#   pcap_count FILE [FILTER...]  packets in a capture (matching FILTER)
#   bg NS CMD...              tb in the background; the pid is in $BG_PID
#   standin NS MODE ARGS...   run tests/smap-standin in NS
#   have_prr                  true if the prr daemon of the testbed is running
#   $ROOT $TESTBED $RUN $PRR_SOCK   repository, testbed script, run dir,
#                             prr control socket (for prrctl -s)
#   tmpfile                   print a new file in $E2E_TMP, a directory
#                             removed on exit

set -eEu

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
TESTBED=$ROOT/scripts/testbed
STANDIN=$ROOT/tests/smap-standin
PYTHON=${PYTHON:-/usr/bin/python3}
RUN=${AP_RUN:-/run/ap-testbed}
PRR_SOCK=${AP_PRR_SOCK:-$RUN/prr.sock}
export PRR_SOCK
TEST_NAME=$(basename "$0" .sh)

N_PASS=0
N_FAIL=0
N_SKIP=0
BG_PIDS=""
ERR_AT=""

tb() { "$TESTBED" exec "$@"; }

pass() { N_PASS=$((N_PASS + 1)); echo "PASS: $1"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "FAIL: $1: ${2:-failed}"; }
skip() { N_SKIP=$((N_SKIP + 1)); echo "SKIP: $1: ${2:-skipped}"; }

# one line of at most 200 characters, of its arguments or else of its input
oneline() { if [ $# -gt 0 ]; then printf '%s' "$*"; else cat; fi | tr '\n' ' ' | cut -c1-200; }

check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "'$*' failed: $(oneline "$out")"
	fi
}

check_fails() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then
		fail "$name" "'$*' succeeded but should fail: $(oneline "$out")"
	else
		pass "$name"
	fi
}

wait_for() {
	local t=5 end
	if [ "$1" = -t ]; then t=$2; shift 2; fi
	end=$(( $(date +%s%N) + t * 1000000000 ))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

wait_ge() {
	local t=5 min n end
	if [ "$1" = -t ]; then t=$2; shift 2; fi
	min=$1; shift
	end=$(( $(date +%s%N) + t * 1000000000 ))
	until n=$("$@" 2>/dev/null) && [ "$n" -ge "$min" ] 2>/dev/null; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

capture() {
	local ns=$1 ifc=$2 file=$3; shift 3
	rm -f "$file" "$file.log"
	( exec "$TESTBED" exec "$ns" tcpdump -i "$ifc" -n --immediate-mode -U -s 0 -w "$file" "$@" 2>"$file.log" ) &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
	# tcpdump says so once its socket is bound and the filter set
	wait_for -t 10 grep -q 'listening on' "$file.log"
}

pcap_count() { local f=$1; shift; tcpdump -r "$f" -n "$@" 2>/dev/null | wc -l; }

bg() {
	( exec "$TESTBED" exec "$@" ) &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

standin() { local ns=$1; shift; tb "$ns" "$PYTHON" "$STANDIN" "$@"; }

have_prr() {
	local pid
	pid=$(cat "$RUN/prr.pid" 2>/dev/null) && [ -e "/proc/$pid" ] &&
		! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat" 2>/dev/null
}

E2E_TMP=$(mktemp -d "/tmp/ap-e2e-$TEST_NAME.XXXXXX")
# the testbed's daemons run as ap-testbed (24-privdrop.sh): they read the
# configs tests write here, and write their state and metrics files here
if id -u ap-testbed >/dev/null 2>&1; then
	chown ap-testbed: "$E2E_TMP"
	chmod 0755 "$E2E_TMP"
fi
tmpfile() { local f; f=$(mktemp "$E2E_TMP/f.XXXXXX") && chmod 0644 "$f" && echo "$f"; }

# kill_tree PID: PID and its descendants (a "tb NS CMD &" job is a
# subshell whose child runs CMD)
kill_tree() {
	local child
	for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
	kill "$1" 2>/dev/null || true
}

e2e_cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM ERR
	for pid in $BG_PIDS $(jobs -p); do kill_tree "$pid"; done
	wait 2>/dev/null || true
	rm -rf -- "$E2E_TMP"
	if [ "$rc" != 0 ] && [ "$N_FAIL" = 0 ]; then
		fail "$TEST_NAME" "aborted with status $rc${ERR_AT:+ at $ERR_AT}"
	fi
	if [ "$N_FAIL" = 0 ]; then
		echo "# $TEST_NAME: SUCCESS ($N_PASS passed, $N_SKIP skipped)"
		exit 0
	fi
	echo "# $TEST_NAME: FAILED ($N_FAIL of $((N_PASS + N_FAIL)) failed)"
	exit 1
}
trap e2e_cleanup EXIT
# on_exit CMD: run CMD (a test's own restore) before the cleanup at exit,
# with errexit off, so that a failing restore never skips the cleanup
on_exit() {
	# shellcheck disable=SC2064 # CMD is expanded now, on purpose
	trap "e2e_rc=\$?; set +e; $1; (exit \$e2e_rc); e2e_cleanup" EXIT
}
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'ERR_AT="line $LINENO: $BASH_COMMAND"' ERR

# Refuse to run without the testbed.
for _ns in ap-inet ap-prr ap-core ap-smap1 ap-smap2 ap-h11 ap-h12 ap-h21; do
	if [ ! -e "/run/netns/$_ns" ]; then
		fail "$TEST_NAME" "testbed not up: namespace $_ns missing (run scripts/testbed up)"
		exit 1
	fi
done
unset _ns
