#!/bin/bash
# SPDX-License-Identifier: MIT
# smap's life cycle: a bad configuration is refused with one line per
# error naming file, line and key; SIGHUP reloads; SIGTERM puts the
# system back as it was (TUN, routes, nft table, ip_forward). Uses
# smap2, restarted with its testbed configuration at the end.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

# --- configuration errors ------------------------------------------------------
BAD=$E2E_TMP/bad.conf
cat >"$BAD" <<'CONF'
wan = { interface = "wan0"; address = "2001:db8:1::zz"; };
lan = { interface = "lan0"; prefix = "192.168.1.1/24"; };
prr = "2001:db8:100::1";
ipv4_address = "192.0.2.1";
ports = "20-10";
colour = "blue";
mtu = { tun = "big"; };
CONF
set +e
out=$("$SMAP" -n -c "$BAD" 2>&1 </dev/null); rc=$?
set -e
if [ "$rc" != 0 ] &&
    echo "$out" | grep -q "^$BAD:1: wan.address: '2001:db8:1::zz' is not an IPv6 address" &&
    echo "$out" | grep -q "^$BAD:2: lan.prefix: " &&
    echo "$out" | grep -q "^$BAD:5: ports: " &&
    echo "$out" | grep -q "^$BAD:6: colour: unknown key" &&
    echo "$out" | grep -q "^$BAD:7: mtu.tun: "; then
	pass "bad configuration: exit $rc, every error as file:line: key: message"
else
	fail "bad configuration: exit non-zero, every error as file:line: key: message" "rc $rc: $(oneline "$out")"
fi
echo 'wan = { interface = "wan0" ' >"$BAD"
set +e
out=$("$SMAP" -n -c "$BAD" 2>&1 </dev/null); rc=$?
set -e
[ "$rc" != 0 ] && echo "$out" | grep -q "^$BAD:[0-9]*: " && pass "syntax error: file:line and exit $rc" ||
	fail "syntax error: file:line and non-zero exit" "rc $rc: $(oneline "$out")"
check "etc/smap.conf and the testbed's configurations check OK" sh -c \
	"'$SMAP' -n -c '$ROOT/etc/smap.conf' && '$SMAP' -n -c '$ROOT/etc/testbed/smap1.conf' && '$SMAP' -n -c '$ROOT/etc/testbed/smap2.conf'"
out=$("$SMAP" -nv -c "$ROOT/etc/testbed/smap2.conf" | grep -v '^configuration OK' >"$E2E_TMP/norm.conf"; "$SMAP" -n -c "$E2E_TMP/norm.conf" 2>&1) &&
	pass "smap -nv prints a configuration that parses again" ||
	fail "smap -nv prints a configuration that parses again" "$(oneline "$out")"

# --- SIGHUP -----------------------------------------------------------------------
smap_running 2 || { fail "smap2 running" "the testbed's smap2 is not running"; exit 1; }
reloads() { grep -c 'reloaded$' "$RUN/smap2.log" || true; }
r=$(reloads)
kill -HUP "$(smap_pid 2)"
wait_ge $((r + 1)) reloads || true
if smap_running 2 && tb ap-h21 ping -c 1 -W 2 "$INET" >/dev/null; then pass "SIGHUP: smap2 reloads and traffic flows"
else fail "SIGHUP: smap2 reloads and traffic flows" "$(oneline "$(tail -3 "$RUN/smap2.log")")"; fi

# --- SIGTERM restores the system ------------------------------------------------------
restart() {
	smap_running 2 && return 0
	smap_start 2 etc/testbed/smap2.conf || echo "# could not restart smap2"
	wait_for -t 10 tb ap-h21 ping -c 1 -W 1 "$INET" || echo "# h21 does not reach $INET after the restart"
}
on_exit restart

tb ap-h21 ping -c 1 -W 2 "$INET" >/dev/null 2>&1 || true	# a NAT entry to forget
nat_entries() { tb ap-smap2 conntrack -L 2>/dev/null | grep -c 'dst=192.0.2.1 ' || true; }
before_ct=$(nat_entries)
smap_stop 2
state() {
	tb ap-smap2 sh -c 'nft list tables; ip -br link; ip route; ip addr show scope global | grep inet; sysctl -n net.ipv4.ip_forward' 2>&1
}
after=$(state)
if smap_running 2; then fail "SIGTERM stops smap2" "still running"
else pass "SIGTERM stops smap2"; fi
echo "$after" | grep -q 'table ip smap' && fail "nft table ip smap removed" "$(oneline "$after")" || pass "nft table ip smap removed"
echo "$after" | grep -q 'smap0' && fail "TUN smap0 and its routes gone" "$(oneline "$after")" || pass "TUN smap0 and its routes gone"
[ "$(echo "$after" | tail -1)" = 0 ] && pass "ip_forward back to 0" || fail "ip_forward back to 0" "$(echo "$after" | tail -1)"
[ -e "$RUN/smap2.sock" ] && fail "control socket removed" "$RUN/smap2.sock" || pass "control socket removed"
after_ct=$(nat_entries)
[ "$before_ct" -gt 0 ] && [ "$after_ct" = 0 ] && pass "conntrack entries NATed to 192.0.2.1 forgotten ($before_ct before)" ||
	fail "conntrack entries NATed to 192.0.2.1 forgotten" "$before_ct before, $after_ct after"

smap_start 2 etc/testbed/smap2.conf
if wait_for -t 10 tb ap-h21 ping -c 1 -W 1 "$INET"; then pass "smap2 starts again; h21 reaches $INET"
else fail "smap2 starts again; h21 reaches $INET" "$(oneline "$(tail -3 "$RUN/smap2.log")")"; fi
