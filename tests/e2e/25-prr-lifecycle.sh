#!/bin/bash
# SPDX-License-Identifier: MIT
# The PRR's life: its NFQUEUE rules, config errors, SIGHUP reload without
# loss for unchanged bindings, a refused bad reload, malformed packets
# that are counted and never crash it, and SIGTERM that removes its rules.
. "$(dirname "$0")/lib.sh"

PRR=("${AP_BIN:-$ROOT/build/bin}/prr")
PRRCTL=("${AP_BIN:-$ROOT/build/bin}/prrctl" -s "$PRR_SOCK")
inet() { tb ap-inet "$PYTHON" "$E2E_DIR/inet-tool" "$@"; }
stat() {
	"${PRRCTL[@]}" --json stats | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
rules4() { tb ap-prr iptables -w -t raw -S PREROUTING | grep -c -- '--comment prr' || true; }
rules6() { tb ap-prr ip6tables -w -t raw -S PREROUTING | grep -c -- '--comment prr' || true; }
prr_pid() { cat "$RUN/prr.pid"; }

# whatever happens, leave the testbed's own prr running with its own config
restore() { "$TESTBED" restart prr >/dev/null 2>&1 || true; }
on_exit restore

have_prr || { fail prr-running "the testbed's prr is not running"; exit 1; }

# --- its rules ---------------------------------------------------------------
[ "$(rules4)" = 1 ] && pass "one iptables rule per pool" || fail "one iptables rule per pool" "$(rules4) rules"
[ "$(rules6)" = 5 ] && pass "ip6tables rules: next header 4 and four ICMPv6 errors" ||
	fail "ip6tables rules: next header 4 and four ICMPv6 errors" "$(rules6) rules"

# --- config errors name file, line and key ----------------------------------------
BAD=$(tmpfile)
cat >"$BAD" <<'CONF'
softwire_addresses = [ "2001:db8:100::1" ];
pools = [ "192.0.2.0/28" ];
bindings = (
	{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.1"; ports = "10000-10999"; },
	{ ipv6 = "2001:db8:2::2"; ipv4 = "192.0.2.1"; ports = "10990-11999"; },
	{ ipv6 = "2001:db8:3::2"; ipv4 = "192.0.2.99"; ports = "1-2"; colour = "red"; }
);
CONF
if out=$("${PRR[@]}" -n -c "$BAD" 2>&1); then
	fail "bad config refused" "prr -n accepted it: $out"
else
	pass "bad config refused with a non-zero exit"
	echo "$out" | grep -q "^$BAD:6: bindings.\[2\].colour: unknown key" &&
		pass "unknown key named with file:line:key" || fail "unknown key named with file:line:key" "$(oneline "$out")"
	echo "$out" | grep -q "^$BAD:6: bindings.\[2\].ipv4: 192.0.2.99 is in none of the pools" &&
		pass "address outside the pools named with file:line:key" ||
		fail "address outside the pools named with file:line:key" "$(oneline "$out")"
fi
sed -i -e '6d' -e '5s/},$/}/' "$BAD"
out=$("${PRR[@]}" -n -c "$BAD" 2>&1) || true
echo "$out" | grep -q "overlap" && echo "$out" | grep -q "10000-10999" && echo "$out" | grep -q "10990-11999" &&
	pass "overlapping bindings refused, naming both" || fail "overlapping bindings refused, naming both" "$(oneline "$out")"
out=$("${PRR[@]}" -n -c "$ROOT/etc/prr.conf" 2>&1) &&
	pass "the shipped etc/prr.conf is valid" || fail "the shipped etc/prr.conf is valid" "$out"

# --- SIGHUP: a new binding goes live, the others lose nothing --------------------------
CONF=$(tmpfile)
cp "$ROOT/etc/testbed/prr.conf" "$CONF"
sed -i 's|pools = \[ "192.0.2.0/28" \];|pools = [ "192.0.2.0/28" ];|' "$CONF"
"$TESTBED" restart prr "$CONF" >/dev/null
COLLECTED=$(tmpfile)
READY=$(tmpfile); rm -f "$READY"
bg ap-smap1 "$PYTHON" "$STANDIN" recv --count 100000 --timeout 120 --out "$COLLECTED" --ready "$READY" >/dev/null 2>&1
wait_for -t 5 test -e "$READY"
# 300 datagrams over 3 s to an unchanged binding while the PRR reloads 5 times
inet udp --dst 192.0.2.1 --dport 10555 --count 300 --interval 0.01 >/dev/null &
SENDER=$!
cat >>"$CONF" <<'CONF'
bindings += (
	{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.2"; ports = "20000-20999"; }
);
CONF
# libconfig has no "+=": write the new binding into the list instead
"$PYTHON" - "$CONF" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s[:s.index("bindings += (")]
s = s.replace('ports = "11000-11999"; }\n);', 'ports = "11000-11999"; },\n\t{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.2"; ports = "20000-20999"; }\n);')
open(p, "w").write(s)
PY
arrived() { grep -c "$1" "$COLLECTED" || true; }
reloads() { grep -c 'reloaded: ' "$RUN/prr.log" || true; }
# each reload done (logged) and more datagrams through before the next,
# so that the five reloads spread over the stream
for _ in 1 2 3 4 5; do
	r=$(reloads); a=$(arrived '"dport": 10555')
	kill -HUP "$(prr_pid)"
	wait_ge -t 10 $((r + 1)) reloads || true
	a=$((a + 20)); [ "$a" -le 300 ] || a=300
	wait_ge -t 10 "$a" arrived '"dport": 10555' || true
done
wait "$SENDER"
wait_ge -t 10 300 arrived '"dport": 10555' || true
got=$(arrived '"dport": 10555')
[ "$got" = 300 ] && pass "300 of 300 datagrams of an unchanged binding arrived across 5 reloads" ||
	fail "no loss for an unchanged binding across reloads" "$got of 300 arrived"
inet udp --dst 192.0.2.2 --dport 20500 >/dev/null
wait_for grep -q '"dst": "192.0.2.2".*"dport": 20500' "$COLLECTED" || true
grep -q '"dst": "192.0.2.2".*"dport": 20500' "$COLLECTED" &&
	pass "a binding added by SIGHUP is live" || fail "a binding added by SIGHUP is live" "nothing for 192.0.2.2:20500"
"${PRRCTL[@]}" list | grep -q '192.0.2.2' && pass "prrctl list shows the new binding" ||
	fail "prrctl list shows the new binding" "$("${PRRCTL[@]}" list)"
# a broken config is refused and the running one kept
echo 'pools = [ "not-a-prefix" ];' >>"$CONF"
kill -HUP "$(prr_pid)"
wait_for grep -q "reload failed; keeping the running configuration" "$RUN/prr.log" || true
grep -q "reload failed; keeping the running configuration" "$RUN/prr.log" &&
	pass "a bad reload is refused and logged" || fail "a bad reload is refused and logged" "$(tail -3 "$RUN/prr.log")"
inet udp --dst 192.0.2.2 --dport 20501 >/dev/null
wait_for grep -q '"dport": 20501' "$COLLECTED" || true
grep -q '"dport": 20501' "$COLLECTED" && pass "traffic still flows after a refused reload" ||
	fail "traffic still flows after a refused reload" "nothing for 192.0.2.2:20501"

# --- malformed packets are counted and dropped, never a crash -----------------------
before_in=$(stat in6_drop_inner_malformed)
before_ext=$(stat in6_drop_malformed)
before_l4=$(stat in4_drop_icmp_quote)
tb ap-smap1 "$PYTHON" - <<'PY'
import socket, struct
prr = ("2001:db8:100::1", 0)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
good = bytes.fromhex("45000020000100004011") + b"\0\0" + socket.inet_aton("192.0.2.1") + \
    socket.inet_aton("198.51.100.10") + struct.pack("!HHHH", 10001, 9, 12, 0) + b"abcd"
for bad in (b"", b"\x45", good[:19], b"\x65" + good[1:], b"\x44" + good[1:],
            good[:2] + b"\xff\xff" + good[4:], good[:2] + b"\x00\x05" + good[4:],
            bytes(range(256)) * 4):
    s.sendto(bad, prr)
# an endless chain of destination options before next header 4
r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
chain = b"".join(bytes([60, 0]) + b"\x01\x04\0\0\0\0" for _ in range(11)) + bytes([4, 0]) + b"\x01\x04\0\0\0\0"
hdr = struct.pack("!IHBB", 6 << 28, len(chain) + len(good), 60, 64) + \
    socket.inet_pton(socket.AF_INET6, "2001:db8:1::2") + socket.inet_pton(socket.AF_INET6, "2001:db8:100::1")
r.sendto(hdr + chain + good, prr)
PY
inet probe --dst 192.0.2.1 --dport 10001 --tries 1 --timeout 0.2 >/dev/null 2>&1 || true
tb ap-inet "$PYTHON" - <<'PY'
import socket
# ICMP port unreachable to the shared address quoting garbage
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
body = bytes([3, 3, 0, 0, 0, 0, 0, 0]) + b"\xff" * 28
c = sum(int.from_bytes(body[i:i + 2], "big") for i in range(0, len(body), 2))
c = (c & 0xffff) + (c >> 16)
c = ~((c & 0xffff) + (c >> 16)) & 0xffff
s.sendto(body[:2] + c.to_bytes(2, "big") + body[4:], ("192.0.2.1", 0))
PY
# every kind counted (or the waits time out and the checks below say which)
wait_ge $((before_in + 5)) stat in6_drop_inner_malformed || true
wait_ge $((before_ext + 1)) stat in6_drop_malformed || true
wait_ge $((before_l4 + 1)) stat in4_drop_icmp_quote || true
if have_prr; then pass "prr survives malformed packets"; else fail "prr survives malformed packets" "it died"; fi
d_in=$(( $(stat in6_drop_inner_malformed) - before_in ))
d_ext=$(( $(stat in6_drop_malformed) - before_ext ))
d_l4=$(( $(stat in4_drop_icmp_quote) - before_l4 ))
[ "$d_in" -ge 5 ] && pass "malformed inner IPv4 counted ($d_in)" || fail "malformed inner IPv4 counted" "in6_drop_inner_malformed +$d_in"
[ "$d_ext" -ge 1 ] && pass "looping extension headers counted ($d_ext)" || fail "looping extension headers counted" "in6_drop_malformed +$d_ext"
[ "$d_l4" -ge 1 ] && pass "ICMP error quoting garbage counted ($d_l4)" || fail "ICMP error quoting garbage counted" "in4_drop_icmp_quote +$d_l4"

# --- with the XDP fast path (AP_PRR_FAST_PATH): attached while it runs -----------------
xdp_on() { tb ap-prr ip link show "$1" | grep -q 'prog/xdp'; }
if [ -n "${AP_PRR_FAST_PATH:-}" ] && [ "$AP_PRR_FAST_PATH" != off ]; then
	# the control socket (what the testbed waits for) comes before the attach
	wait_for -t 10 xdp_on inet0 && wait_for -t 10 xdp_on core0 &&
		pass "the XDP program is on both interfaces" ||
		fail "the XDP program is on both interfaces" "$(tb ap-prr ip -br link)"
fi

# --- SIGTERM: clean exit, rules and socket gone ---------------------------------------
pid=$(prr_pid)
kill -TERM "$pid"
wait_for -t 5 sh -c "! kill -0 $pid 2>/dev/null" && pass "prr stops on SIGTERM" || fail "prr stops on SIGTERM" "still running"
[ "$(rules4)" = 0 ] && [ "$(rules6)" = 0 ] && pass "SIGTERM removes every NFQUEUE rule" ||
	fail "SIGTERM removes every NFQUEUE rule" "$(rules4) IPv4 and $(rules6) IPv6 rules left"
[ ! -e "$PRR_SOCK" ] && pass "SIGTERM removes the control socket" || fail "SIGTERM removes the control socket" "$PRR_SOCK is there"
grep -q "stopping" "$RUN/prr.log" && pass "prr logs its stop" || fail "prr logs its stop" "$(tail -2 "$RUN/prr.log")"
if [ -n "${AP_PRR_FAST_PATH:-}" ] && [ "$AP_PRR_FAST_PATH" != off ]; then
	! xdp_on inet0 && ! xdp_on core0 && pass "SIGTERM removes the XDP program" ||
		fail "SIGTERM removes the XDP program" "$(tb ap-prr ip -br link)"
	# a crash leaves nothing attached either (bpf_links die with their process)
	"$TESTBED" restart prr >/dev/null
	pid=$(prr_pid)
	kill -KILL "$pid"
	wait_for -t 5 sh -c "! kill -0 $pid 2>/dev/null"
	wait_for -t 5 sh -c "! ip -n ap-prr link show inet0 | grep -q prog/xdp && ! ip -n ap-prr link show core0 | grep -q prog/xdp" &&
		pass "a crashed prr leaves no XDP program behind" ||
		fail "a crashed prr leaves no XDP program behind" "$(tb ap-prr ip -br link)"
	"$TESTBED" restart prr >/dev/null
	wait_for -t 10 xdp_on inet0 && wait_for -t 10 xdp_on core0 &&
	    wait_for -t 10 tb ap-h11 ping -c 1 -W 1 198.51.100.10 &&
		pass "prr starts again after a crash, fast path attached" ||
		fail "prr starts again after a crash, fast path attached" "$(tail -3 "$RUN/prr.log")"
fi
