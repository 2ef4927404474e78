#!/bin/bash
# SPDX-License-Identifier: MIT
# A PRR with a million registrations (issue 15): prr starts on a state
# of 1,000,000 registered sets (written here, as a journal compaction
# writes it, up to the last set of the pool), and a datagram from the
# Internet to the registration at the very end of the pool is
# encapsulated toward its SMAP. With the XDP fast path
# (AP_PRR_FAST_PATH=xdp) its maps hold every registration (one array
# cell a set): fastpath_active stays 1 and the program itself forwards it.
. "$(dirname "$0")/lib.sh"

PRRCTL=("${AP_BIN:-$ROOT/build/bin}/prrctl" -s "$PRR_SOCK")
N=${AP_MILLION_REGS:-1000000}
CONF=$RUN/prr-million.conf
STATE=$RUN/prr-million.state
LAST6=2001:db8:1::99	# the last set's SMAP: ap-prr routes it toward ap-core
stat() { "${PRRCTL[@]}" stats | awk -v k="$1" '$1 == k { print $2 }'; }

restore() {
	rm -f "$CONF" "$STATE" "$STATE".* "$RUN"/prr-million.alloc.log*
	"$TESTBED" restart prr >/dev/null 2>&1 || true
}
on_exit restore

have_prr || { fail prr-running "the testbed's prr is not running"; exit 1; }

# The testbed's PRR with a pool of 16 addresses x 65,536 one-port PSID
# sets (offset 0, length 16): 1,048,576 sets, the last 192.0.2.15 port 65535.
sed '/^bindings = (/,$d' "$ROOT/etc/testbed/prr.conf" >"$CONF"
cat >>"$CONF" <<CONF
bindings = (
	{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.1"; ports = "10000-10999"; },
	{ ipv6 = "2001:db8:2::2"; ipv4 = "192.0.2.1"; ports = "11000-11999"; }
);
state_file = "$STATE";
allocation_log = "$RUN/prr-million.alloc.log";
registration = {
	authorized = [ "2001:db8::/32" ];
	addresses = [ $(for i in $(seq 0 15); do printf '"192.0.2.%d", ' "$i"; done | sed 's/, $//') ];
	psid_length = 16;
	psid_offset = 0;
};
CONF

# The last N sets of the pool but those of the static bindings, each to
# a SMAP of its own; an epoch line, so that prr takes the state as it is.
t0=$(date +%s%3N)
awk -v n="$N" -v now="$(date +%s)" -v last="$LAST6" 'BEGIN {
	printf "# prr state: ipv6 ipv4 portset origin expires held_until softwire [nonce]\n# epoch %d\n", now - 60
	s = 1048576
	for (i = n - 1; i >= 0; i--) {
		do s--; while (s >= 65536 && s < 131072 && s % 65536 >= 10000 && s % 65536 < 12000)
		v6 = i == n - 1 ? last : sprintf("2001:db8:%x:%x::1", 32768 + int(i / 65536), i % 65536)
		printf "%s\t192.0.2.%d\tpsid %d/16 offset 0\tdynamic\t%d\t0\t0\t00112233445566778899aabb\n",
		       v6, int(s / 65536), s % 65536, now + 86400
	}
}' >"$STATE"
echo "# $N registrations written in $(($(date +%s%3N) - t0)) ms"

t0=$(date +%s%3N)
if "$TESTBED" restart prr "$CONF" >/dev/null; then
	pass "prr starts with $N registrations ($(($(date +%s%3N) - t0)) ms to its control socket)"
else
	fail "prr starts with $N registrations" "$(tail -3 "$RUN/prr.log" | oneline)"
	exit 1
fi
regs=$(stat registrations)
[ "$regs" -ge "$N" ] && pass "prrctl stats: $regs registrations" ||
	fail "all registrations loaded" "prrctl stats: registrations $regs, want at least $N"
if [ "${AP_PRR_FAST_PATH:-off}" = xdp ]; then
	[ "$(stat fastpath_active)" = 1 ] && pass "the fast path stays active with $N registrations" ||
		fail "the fast path stays active" "fastpath_active $(stat fastpath_active); $(grep 'fast path' "$RUN/prr.log" | tail -2 | oneline)"
fi

# a datagram to 192.0.2.15 port 65535 goes out encapsulated to its SMAP
CAP=$(tmpfile)
capture ap-core prr0 "$CAP" ip6 and dst host "$LAST6"
enc0=$(stat in4_encapsulated); fp0=$(stat fastpath_packets)
tb ap-inet "$PYTHON" -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x" * 20, ("192.0.2.15", 65535))'
got() { [ "$(pcap_count "$CAP")" -ge 1 ]; }
if wait_for -t 10 got && [ "$(stat in4_encapsulated)" = $((enc0 + 1)) ]; then
	pass "192.0.2.15:65535, the last set of the pool, encapsulated toward $LAST6"
else
	fail "the last set of the pool forwards" "captured $(pcap_count "$CAP"), in4_encapsulated $enc0 -> $(stat in4_encapsulated)"
fi
if [ "${AP_PRR_FAST_PATH:-off}" = xdp ]; then
	[ "$(stat fastpath_packets)" = $((fp0 + 1)) ] && pass "the XDP fast path forwarded it" ||
		fail "the XDP fast path forwarded it" "fastpath_packets $fp0 -> $(stat fastpath_packets)"
fi
