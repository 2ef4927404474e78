#!/bin/bash
# SPDX-License-Identifier: MIT
# MAP-E rule mode (RFC 7597) on the testbed's --mape variant: both SMAPs
# derive address, PSID set and MAP IPv6 address from one rule and their
# delegated prefixes; the PRR computes, not looks up, their addresses.
#   - LAN hosts reach the Internet through the PRR from ports of their set
#   - mesh: SMAP to SMAP straight by the FMR, nothing on ap-prr's link
#   - inbound to ports of each PSID set reaches the right SMAP
#   - a port of another PSID sent from a SMAP is dropped as spoofed
#   - prrctl rules / whois / rule calc
# Run on `scripts/testbed up --mape`; on the plain testbed (tests/run) it
# switches to the variant's addresses and configs and back at the end.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PRRCTL=${AP_BIN:-$ROOT/build/bin}/prrctl
MAP1=2001:db8:f000:4100:0:c000:209:1
MAP2=2001:db8:f000:8200:0:c000:20a:2
V4_1=192.0.2.9
V4_2=192.0.2.10
# PSID p of k = 6 at a = 6: port = i << 10 | p << 4 | j, i >= 1
SET1='lambda x: x >= 1024 and (x >> 4) & 63 == 1'
SET2='lambda x: x >= 1024 and (x >> 4) & 63 == 2'
prrctl() { "$PRRCTL" -s "$PRR_SOCK" "$@"; }
prr_stat() { prrctl --json stats | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
in_set() { "$PYTHON" -c "import sys; f=$1; sys.exit(0 if f(int(sys.argv[1])) else 1)" "$2"; }

mape_net() {	# mape_net add|del: the variant's addresses and routes (scripts/testbed)
	ip -n ap-core -6 route "$1" 2001:db8:f000:4100::/56 via 2001:db8:1::2
	ip -n ap-core -6 route "$1" 2001:db8:f000:8200::/56 via 2001:db8:2::2
	ip -n ap-prr -6 route "$1" 2001:db8:f000::/48 via 2001:db8:100::2
	ip -n ap-smap1 -6 addr "$1" "$MAP1/128" dev wan0 ${2:-}
	ip -n ap-smap2 -6 addr "$1" "$MAP2/128" dev wan0 ${2:-}
}

have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }
SWITCHED=0
if ! ip -n ap-smap1 -6 addr show dev wan0 | grep -q "$MAP1"; then
	restore() {
		smap_stop 1 || true
		smap_stop 2 || true
		mape_net del >/dev/null 2>&1 || true
		plain_restart
	}
	on_exit restore
	SWITCHED=1
	smap_stop 1
	smap_stop 2
	mape_net add nodad
	"$TESTBED" restart prr etc/testbed/mape/prr.conf >/dev/null
	smap_start 1 etc/testbed/mape/smap1.conf
	smap_start 2 etc/testbed/mape/smap2.conf
fi
if wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET" && wait_for -t 10 tb ap-h21 ping -c 1 -W 1 "$INET"; then
	pass "MAP-E variant up (switched here: $SWITCHED); h11 and h21 reach $INET"
else
	fail "MAP-E variant up; h11 and h21 reach $INET" "$(tail -3 "$RUN/smap1.log" "$RUN/smap2.log" | tr '\n' ' ')"
	exit 1
fi

# --- what the SMAPs derived --------------------------------------------------
s1="$(smap_status 1 ipv4) $(smap_status 1 ports)"
s2="$(smap_status 2 ipv4) $(smap_status 2 ports)"
if [ "$s1" = "$V4_1 psid 1/6 offset 6" ] && [ "$s2" = "$V4_2 psid 2/6 offset 6" ]; then
	pass "SMAPs derived from the rule: smap1 $s1, smap2 $s2"
else
	fail "SMAPs derived from the rule" "smap1 '$s1', smap2 '$s2'"
fi
calc=$("$PRRCTL" --json rule calc --rule-ipv6 2001:db8:f000::/48 --rule-ipv4 192.0.2.8/30 \
	--ea-len 8 --offset 6 --prefix 2001:db8:f000:8200::/56)
if [ "$(jget "$calc" ipv6)" = "$MAP2" ] && [ "$(jget "$calc" ipv4)" = "$V4_2" ] &&
    [ "$(jget "$calc" psid)" = 2 ]; then
	pass "prrctl rule calc gives smap2's address, PSID and MAP address"
else
	fail "prrctl rule calc" "$calc"
fi
r=$(prrctl --json rules)
case $r in *'"ipv6_prefix":"2001:db8:f000::/48","ipv4_prefix":"192.0.2.8/30","ea_length":8,"offset":6,"psid_len":6'*)
	pass "prrctl rules shows the rule" ;;
*)	fail "prrctl rules shows the rule" "$r" ;;
esac

# --- LAN hosts to the Internet through the PRR ------------------------------
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --ready "$E2E_TMP/udp.ready"
for h in h11 h21; do
	case $h in h11) v4=$V4_1 set=$SET1 ;; *) v4=$V4_2 set=$SET2 ;; esac
	u=$(tb "ap-$h" "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 300 || true)
	sport=$(jget "$u" sport)
	if [ "$(jget "$u" ok)" = True ] && [ "$(jget "$u" src)" = "$v4" ] && in_set "$set" "$sport"; then
		pass "$h to the Internet: seen as $v4:$sport, a port of its PSID set"
	else
		fail "$h to the Internet from its PSID set" "$u"
	fi
	if [ $h = h11 ]; then
		w=$(prrctl whois "$V4_1:$sport" || true)
		case $w in "$MAP1 holds $V4_1 ports psid 1/6 offset 6 (MAP-E rule, End-user prefix 2001:db8:f000:4100::/56)")
			pass "prrctl whois $V4_1:$sport computes smap1" ;;
		*)	fail "prrctl whois $V4_1:$sport computes smap1" "$w" ;;
		esac
	fi
done
[ "$(prr_stat in6_rule_checked)" -gt 0 ] && [ "$(prr_stat in4_rule_mapped)" -gt 0 ] &&
	pass "the PRR checked and mapped by the rule (in6_rule_checked, in4_rule_mapped)" ||
	fail "the PRR's rule counters" "in6_rule_checked $(prr_stat in6_rule_checked), in4_rule_mapped $(prr_stat in4_rule_mapped)"
fast_path_carries 1 ap-h11 "MAP-E, to the BR"
fast_path_carries 2 ap-h21 "MAP-E, to the BR"

# --- mesh: h11 to a server behind smap2, straight by the FMR -----------------
# A port forward on smap2 (what its PCP server would make): 192.0.2.10:1060,
# a port of PSID 2, to h21:9000.
tb ap-smap2 nft add rule ip smap dstnat iifname smap0 udp dport 1060 dnat to 192.168.2.10:9000
tb ap-smap2 nft insert rule ip smap forward iifname smap0 ct status dnat accept
start_server mesh ap-h21 "$PYTHON" "$TOOL" udp-server --port 9000 --ready "$E2E_TMP/mesh.ready"
CAP=$E2E_TMP/prr-core.pcap
# on ap-core's end of the PRR's link: the PRR's own core0 shows tcpdump
# nothing its XDP fast path handles
capture ap-core prr0 "$CAP" 'ip6 and net 2001:db8:f000::/48'
capture_pid=$BG_PID
out1=$(smap_stat 1 out_mesh); in2=$(smap_stat 2 in_mesh); prr6=$(prr_stat in6_packets)
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$V4_2" --port 1060 --len 500 || true)
d6=$(( $(prr_stat in6_packets) - prr6 ))
# the capture does see a SMAP's traffic when it goes by the PRR; once that
# later exchange is in the file, anything of the mesh exchange would be too
tb ap-h21 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 >/dev/null || true
wait_ge -t 5 2 pcap_count "$CAP" || true
control=$(pcap_count "$CAP")
seen=$(pcap_count "$CAP" 'ip6 src net 2001:db8:f000::/48 and ip6 dst net 2001:db8:f000::/48')
kill_tree "$capture_pid" 2>/dev/null || true
if [ "$(jget "$u" ok)" = True ] && [ "$(jget "$u" src)" = "$V4_1" ] &&
    in_set "$SET1" "$(jget "$u" sport)"; then
	pass "mesh: h11 reaches h21 behind $V4_2:1060, which saw $V4_1:$(jget "$u" sport)"
else
	fail "mesh: h11 reaches h21 behind $V4_2:1060" "$u"
fi
d1=$(( $(smap_stat 1 out_mesh) - out1 )); d2=$(( $(smap_stat 2 in_mesh) - in2 ))
if [ "$d1" -ge 1 ] && [ "$d2" -ge 1 ] && [ "$seen" = 0 ] && [ "$d6" = 0 ] && [ "$control" -ge 2 ]; then
	pass "mesh went SMAP to SMAP: smap1 out_mesh +$d1, smap2 in_mesh +$d2, nothing on the PRR's link (which then saw h21's Internet exchange, $control packets), prr in6_packets +0"
else
	fail "mesh without the PRR" "out_mesh +$d1, in_mesh +$d2, the PRR's link saw $seen packets (control $control), prr in6_packets +$d6"
fi

# --- inbound from the Internet to ports of each PSID set ---------------------
send() { tb ap-inet "$PYTHON" -c "import socket,sys; s=socket.socket(2,2); s.sendto(b'x'*20,(sys.argv[1],int(sys.argv[2])))" "$1" "$2"; }
a1=$(smap_stat 1 in_packets); a2=$(smap_stat 2 in_packets); m=$(prr_stat in4_rule_mapped)
send "$V4_1" 2065	# PSID 1 of 192.0.2.9: smap1
send "$V4_2" 3104	# PSID 2 of 192.0.2.10: smap2
wait_ge 1 eval 'echo $(( $(smap_stat 1 in_packets) - a1 ))' || true
wait_ge 1 eval 'echo $(( $(smap_stat 2 in_packets) - a2 ))' || true
b1=$(( $(smap_stat 1 in_packets) - a1 )); b2=$(( $(smap_stat 2 in_packets) - a2 ))
[ "$b1" = 1 ] && [ "$b2" = 1 ] &&
	pass "inbound to $V4_1:2065 (PSID 1) reached smap1, to $V4_2:3104 (PSID 2) smap2" ||
	fail "inbound to each PSID set reaches the right SMAP" "smap1 +$b1, smap2 +$b2"
send "$V4_1" 2081	# PSID 2 of 192.0.2.9: a CE that is not on the testbed
wait_ge 3 eval 'echo $(( $(prr_stat in4_rule_mapped) - m ))' || true
c1=$(( $(smap_stat 1 in_packets) - a1 - b1 )); c=$(( $(prr_stat in4_rule_mapped) - m ))
[ "$c1" = 0 ] && [ "$c" = 3 ] &&
	pass "inbound to $V4_1:2081 (PSID 2) not sent to smap1 (PSID 1); 3 packets mapped by the rule" ||
	fail "inbound to another PSID of smap1's address" "smap1 +$c1, in4_rule_mapped +$c"

# --- a port of another PSID sent from smap1: spoofed -------------------------
sp=$(prr_stat in6_drop_spoofed)
# what reaches ap-inet, not a global counter: other traffic may be decapsulated meanwhile
SEEN=$(tmpfile)
bg ap-inet "$PYTHON" "$E2E_DIR/inet-tool" listen --port 9998 --count 2 --timeout 3 --ready "$SEEN.ready" >"$SEEN"
wait_for -t 5 test -e "$SEEN.ready"
tb ap-smap1 "$PYTHON" - "$MAP1" "$V4_1" "$INET" <<'EOF'
import socket, struct, sys
src6, src4, dst4 = sys.argv[1:4]
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def udp4(sport, dport, data):
    s4, d4 = socket.inet_aton(src4), socket.inet_aton(dst4)
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(s4 + d4 + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xffff
    u = u[:6] + struct.pack("!H", c) + u[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0, s4, d4)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + u
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
s.bind((src6, 0))
s.sendto(udp4(2081, 9998, b"spoofed"), ("2001:db8:100::1", 0))	# PSID 2: not ours
s.sendto(udp4(2065, 9998, b"ours"), ("2001:db8:100::1", 0))	# PSID 1: ours
EOF
wait "$BG_PID" 2>/dev/null || true	# times out waiting for the second: it must not come
dsp=$(( $(prr_stat in6_drop_spoofed) - sp ))
[ "$dsp" = 1 ] && grep -q '"sport": 2065' "$SEEN" && ! grep -q '"sport": 2081' "$SEEN" &&
	pass "from smap1's MAP address: port 2081 (PSID 2) dropped as spoofed, 2065 (PSID 1) let out" ||
	fail "a port of another PSID from a SMAP is dropped as spoofed" "in6_drop_spoofed +$dsp, ap-inet saw: $(oneline "$(cat "$SEEN")")"

