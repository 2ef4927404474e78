# SPDX-License-Identifier: MIT
# smap-lib.sh: helpers for the SMAP end-to-end tests, sourced after lib.sh.
#
#   smapctl N ARGS...         smap stats|status ARGS on smapN's control socket
#   smap_stat N NAME          one counter of smapN (stats --json)
#   smap_status N KEY         one status value of smapN (tun_mtu, ports, ...)
#   smap_running N            smapN of the testbed is alive
#   smap_stop N               SIGTERM smapN (by its pid file) and wait for it
#   smap_start N CONF         start smapN in ap-smapN as the testbed does (pid
#                             and log files under $RUN, fast_path as
#                             $AP_SMAP_FAST_PATH says), wait for its socket
#   fast_path_carries N HOST WHAT  with AP_SMAP_FAST_PATH=bpf: smapN runs
#                             the fast path and HOST's pings to $INET went
#                             through it both ways (a PASS/FAIL); else nothing
#   plain_restart             the plain testbed's prr and SMAPs again (tests that
#                             switched to a variant restore with it)
#   register_variant          the testbed's --register variant: both SMAPs
#                             stopped, its state and allocation log cleared,
#                             prr restarted with etc/testbed/register/prr.conf,
#                             both SMAPs started with their register configs
#   register_restore          back from it to the plain testbed, its state
#                             cleared (for on_exit; never fails)
#   start_server NAME NS CMD...  a server in NS for the rest of the test; waits
#                             for $E2E_TMP/NAME.ready if CMD creates it
#   $SMAP $TOOL               the smap binary, tests/e2e/smap-tool

SMAP=${AP_BIN:-$ROOT/build/bin}/smap
TOOL=$E2E_DIR/smap-tool
INET=198.51.100.10

smapctl() { local n=$1; shift; "$SMAP" "$@" -s "$RUN/smap$n.sock"; }

smap_stat() {
	smapctl "$1" stats --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

smap_status() {
	smapctl "$1" status --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

fast_path_carries() {
	local n=$1 host=$2 what=$3 st i0 o0 i1 o1
	[ "${AP_SMAP_FAST_PATH:-}" = bpf ] || return 0
	st=$(smap_status "$n" fast_path 2>&1)
	i0=$(smap_stat "$n" fastpath_in_packets); o0=$(smap_stat "$n" fastpath_out_packets)
	tb "$host" ping -c 3 -i 0.2 -W 2 "$INET" >/dev/null 2>&1
	i1=$(smap_stat "$n" fastpath_in_packets); o1=$(smap_stat "$n" fastpath_out_packets)
	if [ "$st" = bpf ] && [ $((i1 - i0)) -ge 3 ] && [ $((o1 - o0)) -ge 3 ]; then
		pass "$what: smap$n's kernel fast path carried $host's pings (fastpath_in +$((i1 - i0)), out +$((o1 - o0)))"
	else
		fail "$what: smap$n's kernel fast path carries $host's pings" \
			"fast_path '$st', fastpath_in $i0 -> $i1, out $o0 -> $o1"
	fi
}

smap_pid() { cat "$RUN/smap$1.pid" 2>/dev/null; }

smap_running() {
	local pid
	pid=$(smap_pid "$1") && [ -n "$pid" ] && [ -e "/proc/$pid" ] &&
		! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat" 2>/dev/null
}

smap_stop() {
	local pid
	pid=$(smap_pid "$1") || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	# its netlink work at stop (TUN, nft, TC filters) waits its turn for
	# the kernel's rtnl lock, which every testbed on the machine shares
	wait_for -t 20 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
}

smap_start() {
	local n=$1 conf
	conf=$(cd "$ROOT" && "$TESTBED" smap-conf "$2") || return 1
	rm -f "$RUN/smap$n.pid" "$RUN/smap$n.sock"
	# shellcheck disable=SC2016 # $$ and $@ are for the inner sh
	(cd "$ROOT" && exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/smap$n.pid" \
		ip netns exec "ap-smap$n" "$SMAP" -f -c "$conf" \
		</dev/null >>"$RUN/smap$n.log" 2>&1 &)
	wait_for -t 10 test -S "$RUN/smap$n.sock"
}

plain_restart() {
	"$TESTBED" restart prr >/dev/null 2>&1 || echo "# could not restart prr with its testbed configuration"
	smap_start 1 etc/testbed/smap1.conf || echo "# could not restart smap1"
	smap_start 2 etc/testbed/smap2.conf || echo "# could not restart smap2"
	wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET" || echo "# h11 does not reach $INET after the restore"
}

# the --register variant's files (etc/testbed/register/prr.conf names them)
REG_STATE=$RUN/prr-register.state
REG_ALLOC=$RUN/prr-register.alloc.log

register_variant() {
	smap_stop 1
	smap_stop 2
	rm -f "$REG_STATE" "$REG_ALLOC" "$REG_ALLOC".*
	"$TESTBED" restart prr etc/testbed/register/prr.conf >/dev/null
	smap_start 1 etc/testbed/register/smap1.conf
	smap_start 2 etc/testbed/register/smap2.conf
}

register_restore() {
	smap_stop 1 || true
	smap_stop 2 || true
	rm -f "$REG_STATE" "$REG_ALLOC" "$REG_ALLOC".*
	plain_restart
}

start_server() {
	local name=$1 ns=$2; shift 2
	bg "$ns" "$@"
	wait_for -t 10 test -e "$E2E_TMP/$name.ready"
}

# in_range PORTS_JSON LO HI: every port of the JSON list lies in [LO, HI]
in_range() {
	"$PYTHON" -c 'import json,sys; p=json.loads(sys.argv[1]); lo,hi=int(sys.argv[2]),int(sys.argv[3]); sys.exit(0 if p and all(lo <= x <= hi for x in p) else 1)' "$@"
}

# jget JSON KEY: one field of a JSON object
jget() { "$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }
