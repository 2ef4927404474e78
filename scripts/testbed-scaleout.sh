# SPDX-License-Identifier: MIT
# Sourced by scripts/testbed: the --scale-out variant (issue 16).
#
#   ap-inet   eth1   198.51.101.10/24      <-> ap-prr2  inet0  198.51.101.1/24
#   ap-prr2   core0  2001:db8:101::1/64    <-> ap-core  prr1   2001:db8:101::2/64
#   ap-prr2   lo     2001:db8:100::1/128   (the anycast softwire address, ap-prr's too)
#
# ap-core reaches 2001:db8:100::1 by ECMP over both PRRs (hash on the
# 5-tuple), ap-inet the pool 192.0.2.0/28 likewise; 2001:db8:8000::/33 is
# local in ap-core (registration load, tests/bench/regload) and routed
# there by both PRRs. A private PostgreSQL server ($RUN/pg, reached by its
# Unix socket from every namespace) holds the shared store; both PRRs run
# etc/testbed/scaleout/prr.conf and prr2.conf, the SMAPs register.

SCALE_NS=ap-prr2
PG_PRIVATE=$ROOT/scripts/pg-private

scale_out_build() {
	ip netns add ap-prr2
	ip -n ap-prr2 link set lo up
	nx ap-prr2 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	link ap-inet eth1 ap-prr2 inet0
	link ap-prr2 core0 ap-core prr1
	addr4 ap-inet eth1 198.51.101.10/24
	addr4 ap-prr2 inet0 198.51.101.1/24
	addr6 ap-prr2 core0 2001:db8:101::1/64
	addr6 ap-prr2 lo 2001:db8:100::1/128
	addr6 ap-core prr1 2001:db8:101::2/64
	nx ap-prr2 sysctl -qw net.ipv4.ip_forward=1
	ip -n ap-prr2 route add 198.51.100.0/24 via 198.51.101.10
	local p
	for p in 2001:db8:1::/64 2001:db8:2::/64 2001:db8:8000::/33; do
		ip -n ap-prr2 -6 route add "$p" via 2001:db8:101::2
	done
	ip -n ap-prr -6 route add 2001:db8:8000::/33 via 2001:db8:100::2
	ip -n ap-core -6 route add local 2001:db8:8000::/33 dev lo
	nx ap-core sysctl -qw net.ipv6.fib_multipath_hash_policy=1
	ip -n ap-core -6 route add 2001:db8:100::1/128 \
		nexthop via 2001:db8:100::1 dev prr0 nexthop via 2001:db8:101::1 dev prr1
	nx ap-inet sysctl -qw net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip -n ap-inet route replace 192.0.2.0/28 \
		nexthop via 198.51.100.1 dev eth0 nexthop via 198.51.101.1 dev eth1
}

# the store first: both PRRs refuse to start without it
scale_out_store() {
	say "starting PostgreSQL in $RUN/pg"
	"$PG_PRIVATE" start "$RUN/pg" 5433 >/dev/null
	"$AP_BIN/prr" -c "$CONF/prr.conf" --init-store >/dev/null
}

scale_out_prr2() {
	start prr2 ap-prr2 "$AP_BIN/prr" -f -c "$CONF/prr2.conf"
	STARTED="$STARTED prr2"
	wait_ready "prr2 control socket $RUN/prr2.sock" test -S "$RUN/prr2.sock"
	say "prr2 ready ($RUN/prr2.sock)"
}

scale_out_down() {
	if [ -x "$PG_PRIVATE" ] && [ -d "$RUN/pg" ]; then
		"$PG_PRIVATE" destroy "$RUN/pg" >/dev/null 2>&1 || true
	fi
}
