#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMAP's data path as the testbed chose it (AP_SMAP_FAST_PATH, tests/run
# runs this once per mode): smap status and smap -n name it; with bpf the
# kernel carries TCP and ICMP echo both ways (fastpath_* counters grow, the
# usual counters sum both paths), fragments and ICMP errors still take the
# TUN path, and the TC filter is gone after a stop and replaced after a
# crash; with off nothing is loaded and the fast-path counters stay 0.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

MODE=${AP_SMAP_FAST_PATH:-auto}
[ "$MODE" = auto ] && MODE=bpf	# the kernel here has TC eBPF
smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

got=$(smap_status 1 fast_path 2>&1)
[ "$got" = "$MODE" ] && pass "smap status: fast_path $MODE" ||
	fail "smap status: fast_path $MODE" "got '$got'"
conf=$(cd "$ROOT" && "$TESTBED" smap-conf etc/testbed/smap1.conf)
out=$(tb ap-smap1 "$SMAP" -n -c "$conf" 2>&1)
case $out in
*"fast path: $MODE"*) pass "smap -n says: fast path: $MODE" ;;
*) fail "smap -n says which path runs" "$(oneline "$out")" ;;
esac

bad=$E2E_TMP/bad.conf
{ grep -v '^fast_path' "$conf"; echo 'fast_path = "turbo";'; } >"$bad"
out=$(tb ap-smap1 "$SMAP" -n -c "$bad" 2>&1) && rc=0 || rc=$?
line=$(grep -n '^fast_path' "$bad" | cut -d: -f1)
case "$rc:$out" in
[1-9]*"$bad:$line: fast_path: 'turbo': expected \"auto\", \"bpf\" or \"off\""*)
	pass "fast_path = \"turbo\" is refused with file:line: key" ;;
*) fail "fast_path = \"turbo\" is refused with file:line: key" "exit $rc: $(oneline "$out")" ;;
esac

filters() { tb ap-smap1 tc filter show dev wan0 ingress 2>/dev/null | grep -c 'smap_ingress' || true; }
filter_on() { [ "$(filters)" = 1 ]; }

# --- traffic: 10 MB over TCP, pings, a fragmented UDP datagram, a traceroute --
WWW=$E2E_TMP/www
mkdir -p "$WWW"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$WWW/big.bin"
SUM=$(sha256sum <"$WWW/big.bin" | cut -d' ' -f1)
bg ap-inet sh -c "exec '$PYTHON' '$TOOL' http-server --port 8080 --dir '$WWW' --ready '$E2E_TMP/http.ready' 2>/dev/null"
wait_for -t 10 test -e "$E2E_TMP/http.ready"
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --log "$E2E_TMP/udp.log" --ready "$E2E_TMP/udp.ready"

fp0=$(smap_stat 1 fastpath_packets)
in0=$(smap_stat 1 in_delivered)
got=$(tb ap-h11 curl -s --max-time 60 http://$INET:8080/big.bin | sha256sum | cut -d' ' -f1)
[ "$got" = "$SUM" ] && pass "h11: 10 MB over TCP through smap1 ($MODE)" ||
	fail "h11: 10 MB over TCP through smap1 ($MODE)" "sha256 $got"
check "h11: ping through smap1 ($MODE)" tb ap-h11 ping -c 3 -i 0.2 -W 2 "$INET"
fp1=$(smap_stat 1 fastpath_packets)
in1=$(smap_stat 1 in_delivered)
fin=$(smap_stat 1 fastpath_in_packets)
fout=$(smap_stat 1 fastpath_out_packets)
if [ "$MODE" = bpf ]; then
	# 10 MB is over 7,000 segments in; the kernel carried them
	if [ $((fin)) -gt 5000 ] && [ $((fout)) -gt 100 ] && [ $((in1 - in0)) -ge $((fp1 - fp0 - fout)) ]; then
		pass "fast path carried the traffic: fastpath_in_packets $fin, fastpath_out_packets $fout; in_delivered counts them"
	else
		fail "fast path carried the traffic" "fastpath in $fin out $fout, in_delivered $in0 -> $in1"
	fi
else
	[ "$fp1" = 0 ] && pass "fast path off: fastpath_packets 0" ||
		fail "fast path off: fastpath_packets 0" "fastpath_packets $fp1"
fi

# Echo through the softwire with no userspace hop where a fast path runs
# (issue 13): the PRR's XDP program takes requests and replies (none to
# NFQUEUE), the SMAP's TC programs both ways (none to the TUN)
prr_stat() {
	"${AP_BIN:-$ROOT/build/bin}/prrctl" -s "$PRR_SOCK" --json stats |
		"$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
case ${AP_PRR_FAST_PATH:-off} in xdp|auto) xdp=1 ;; *) xdp="" ;; esac
[ -n "$xdp" ] && { p0=$(prr_stat fastpath_packets); pi0=$(prr_stat fastpath_to_slowpath_icmp); }
so0=$(smap_stat 1 fastpath_out_packets); si0=$(smap_stat 1 fastpath_in_packets)
sl0=$(smap_stat 1 fastpath_to_slowpath_icmp)
check "h11: 20 pings through smap1 ($MODE, PRR ${AP_PRR_FAST_PATH:-off})" tb ap-h11 ping -c 20 -i 0.01 -W 2 "$INET"
if [ -n "$xdp" ]; then
	p=$(( $(prr_stat fastpath_packets) - p0 )); pi=$(( $(prr_stat fastpath_to_slowpath_icmp) - pi0 ))
	[ "$p" -ge 40 ] && [ "$pi" = 0 ] && pass "PRR XDP took the echo requests and replies (fastpath_packets +$p, fastpath_to_slowpath_icmp +0)" ||
		fail "PRR XDP took the echo requests and replies" "fastpath_packets +$p, fastpath_to_slowpath_icmp +$pi"
fi
if [ "$MODE" = bpf ]; then
	so=$(( $(smap_stat 1 fastpath_out_packets) - so0 )); si=$(( $(smap_stat 1 fastpath_in_packets) - si0 ))
	sl=$(( $(smap_stat 1 fastpath_to_slowpath_icmp) - sl0 ))
	[ "$so" -ge 20 ] && [ "$si" -ge 20 ] && [ "$sl" = 0 ] && pass "SMAP TC took the echoes both ways (fastpath_out +$so, fastpath_in +$si)" ||
		fail "SMAP TC took the echoes both ways" "fastpath_out +$so, fastpath_in +$si, fastpath_to_slowpath_icmp +$sl"
fi

# 3,000 bytes of UDP: IPv4 fragments into the softwire (the TUN path)
frag0=$(smap_stat 1 fastpath_to_slowpath_fragment)
ofr0=$(smap_stat 1 out_fragments)
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 3000 2>&1)
[ "$(jget "$u" ok)" = True ] && pass "h11: 3,000-byte UDP datagram there and back ($MODE)" ||
	fail "h11: 3,000-byte UDP datagram there and back ($MODE)" "$(oneline "$u")"
frag1=$(smap_stat 1 fastpath_to_slowpath_fragment)
if [ "$MODE" = bpf ]; then
	[ $((frag1 - frag0)) -ge 2 ] && pass "fragments left to the TUN path (fastpath_to_slowpath_fragment +$((frag1 - frag0)))" ||
		fail "fragments left to the TUN path" "fastpath_to_slowpath_fragment $frag0 -> $frag1, out_fragments $ofr0 -> $(smap_stat 1 out_fragments)"
fi

# ICMP errors from the Internet quote a packet: the TUN path checks them
icmp0=$(smap_stat 1 fastpath_to_slowpath_icmp)
tr=$(tb ap-h11 traceroute -n -q 1 -w 2 -m 6 "$INET" 2>&1)
if tail -1 <<<"$tr" | grep -q " $INET "; then
	pass "h11: traceroute through smap1 ends at $INET ($MODE)"
else
	fail "h11: traceroute through smap1 ($MODE)" "$(oneline "$tr")"
fi
icmp1=$(smap_stat 1 fastpath_to_slowpath_icmp)
if [ "$MODE" = bpf ]; then
	[ $((icmp1 - icmp0)) -ge 1 ] && pass "ICMP errors left to the TUN path (fastpath_to_slowpath_icmp +$((icmp1 - icmp0)))" ||
		fail "ICMP errors left to the TUN path" "fastpath_to_slowpath_icmp $icmp0 -> $icmp1"
fi

# --- the programs' life: stop, crash, restart ---------------------------------
if [ "$MODE" = bpf ]; then
	[ "$(filters)" = 1 ] && pass "one TC filter (smap_ingress) on wan0 while smap1 runs" ||
		fail "one TC filter on wan0 while smap1 runs" "$(filters) filters"
	smap_stop 1
	[ "$(filters)" = 0 ] && pass "no TC filter left on wan0 after SIGTERM" ||
		fail "no TC filter left on wan0 after SIGTERM" "$(filters) filters"
	smap_start 1 etc/testbed/smap1.conf
	# its control socket is up before the programs are attached: wait for them
	wait_for -t 10 filter_on || true
	pid=$(smap_pid 1)
	kill -KILL "$pid"
	wait_for -t 5 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
	[ "$(filters)" = 1 ] && pass "after SIGKILL the filter is still on wan0 (no one to remove it)" ||
		fail "after SIGKILL the filter is still on wan0" "$(filters) filters"
	smap_start 1 etc/testbed/smap1.conf
	if wait_for -t 10 grep -q "removed the TC filter a previous smap left" "$RUN/smap1.log" &&
		wait_for -t 10 filter_on; then
		pass "the next start removed the crashed smap's filter and attached its own"
	else
		fail "the next start replaces the crashed smap's filter" "$(filters) filters; $(oneline "$(tail -3 "$RUN/smap1.log")")"
	fi
	wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET" &&
		pass "h11 reaches $INET after the restart" || fail "h11 reaches $INET after the restart"
else
	[ "$(filters)" = 0 ] && pass "fast path off: no TC filter on wan0" ||
		fail "fast path off: no TC filter on wan0" "$(filters) filters"
fi
