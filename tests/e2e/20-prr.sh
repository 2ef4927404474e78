#!/bin/bash
# SPDX-License-Identifier: MIT
# The PRR end to end, with stand-in SMAPs: inbound by port to the right
# SMAP, unbound ports dropped and counted, spoofed sources refused, ICMP
# both ways, fragments in any order, the MTU-1280 link, TTL, hairpinning.
. "$(dirname "$0")/lib.sh"

PRRCTL=("${AP_BIN:-$ROOT/build/bin}/prrctl" -s "$PRR_SOCK")
inet() { tb ap-inet "$PYTHON" "$E2E_DIR/inet-tool" "$@"; }

stat() {
	"${PRRCTL[@]}" --json stats | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# collect NS: record from now on what the SMAP stand-in in NS receives, in
# the file named by $COLLECTED (one JSON line a packet, written as it comes)
collect() {
	local ready
	COLLECTED=$(tmpfile)
	ready=$(tmpfile)
	rm -f "$ready"
	bg "$1" "$PYTHON" "$STANDIN" recv --count 100000 --timeout 120 --out "$COLLECTED" \
		--ready "$ready" >/dev/null 2>&1
	wait_for -t 5 test -e "$ready"
}
# listen PORT: a UDP listener in ap-inet that takes one datagram; $LP is its pid
listen() {
	local ready
	ready=$(tmpfile)
	rm -f "$ready"
	bg ap-inet "$PYTHON" "$E2E_DIR/inet-tool" listen --port "$1" --count 1 --timeout "$2" --ready "$ready"
	LP=$BG_PID
	wait_for -t 5 test -e "$ready"
}

# matching FILE PYEXPR: how many received packets satisfy PYEXPR (on p)
matching() {
	"$PYTHON" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        p = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2]):
        n += 1
print(n)' "$1" "$2"
}

# expect_some NAME FILE PYEXPR: at least one packet matching
expect_some() {
	local n
	wait_ge 1 matching "$2" "$3" || true
	n=$(matching "$2" "$3")
	if [ "$n" -ge 1 ]; then
		pass "$1"
	else
		fail "$1" "no packet matches ($3); received: $(oneline "$(cut -c1-160 "$2" | head -5)")"
	fi
}

# expect NAME N FILE PYEXPR: exactly N packets matching, else fail with what came
expect() {
	local n
	# wait for what is expected to arrive; "none" is made sure of by the caller
	[ "$2" = 0 ] || wait_ge "$2" matching "$3" "$4" || true
	n=$(matching "$3" "$4")
	if [ "$n" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "$n packets match ($4), expected $2; received: $(oneline "$(cut -c1-160 "$3" | head -5)")"
	fi
}

have_prr || { fail prr-running "the testbed's prr is not running"; exit 1; }

# --- inbound UDP and TCP by destination port -----------------------------
collect ap-smap1; F1=$COLLECTED
collect ap-smap2; F2=$COLLECTED
inet udp --dst 192.0.2.1 --dport 10500 --sport 5555 >/dev/null
inet udp --dst 192.0.2.1 --dport 10000 --sport 5555 >/dev/null
inet udp --dst 192.0.2.1 --dport 10999 --sport 5555 >/dev/null
inet udp --dst 192.0.2.1 --dport 11000 --sport 5555 >/dev/null
inet udp --dst 192.0.2.1 --dport 11999 --sport 5555 >/dev/null
inet tcp --dst 192.0.2.1 --dport 10600 >/dev/null
inet tcp --dst 192.0.2.1 --dport 11600 >/dev/null
IN='p["src"] == "198.51.100.10" and p["dst"] == "192.0.2.1" and p["outer_src"] == "2001:db8:100::1"'
expect "udp 10500 reaches smap1 encapsulated" 1 "$F1" "$IN and p['proto'] == 17 and p['dport'] == 10500 and p['whole']"
expect "udp 10000 and 10999 (range edges) reach smap1" 2 "$F1" "$IN and p['proto'] == 17 and p['dport'] in (10000, 10999)"
expect "udp 11000 and 11999 reach smap2" 2 "$F2" "$IN and p['proto'] == 17 and p['dport'] in (11000, 11999)"
expect_some "tcp 10600 reaches smap1" "$F1" "$IN and p['proto'] == 6 and p['dport'] == 10600"
expect_some "tcp 11600 reaches smap2" "$F2" "$IN and p['proto'] == 6 and p['dport'] == 11600"
expect "nothing of smap2's range at smap1" 0 "$F1" "$IN and p['proto'] in (6, 17) and 11000 <= p['dport'] <= 11999"
expect "nothing of smap1's range at smap2" 0 "$F2" "$IN and p['proto'] in (6, 17) and 10000 <= p['dport'] <= 10999"
expect "inner TTL decremented once" 1 "$F1" "$IN and p['dport'] == 10500 and p['ttl'] == 63"

# --- what the issue's "done" says, literally: seen on ap-smap1's WAN interface
CAP=$(tmpfile)
bg ap-smap1 tcpdump -l -n -i wan0 -c 1 'ip6 and ip6[6] == 4 and ip6[40+16:4] == 0xc0000201 and ip6[40+22:2] == 10500' >"$CAP" 2>"$CAP.log"
wait_for -t 10 grep -q 'listening on' "$CAP.log" || true
inet udp --dst 192.0.2.1 --dport 10500 >/dev/null
wait_for -t 5 grep -q '2001:db8:100::1 > 2001:db8:1::2' "$CAP" &&
	pass "UDP to 192.0.2.1:10500 shows up encapsulated on ap-smap1's wan0 (tcpdump)" ||
	fail "UDP to 192.0.2.1:10500 shows up encapsulated on ap-smap1's wan0 (tcpdump)" "$(cat "$CAP")"

# --- checksums: UDP sent from a socket reaches the SMAP with its checksum right,
# also when ap-inet leaves it to offload (tx checksumming on its veth: the
# frame carries only the pseudo header's sum, which the kernel completes
# on the NFQUEUE path; the XDP fast path must pass such packets there)
fast=""
[ -n "${AP_PRR_FAST_PATH:-}" ] && [ "$AP_PRR_FAST_PATH" != off ] && fast=1
offload=$(tb ap-inet ethtool -k eth0 | awk '$1 == "tx-checksumming:" { print $2 }')
on_exit "tb ap-inet ethtool -K eth0 tx $offload >/dev/null"
for tx in on off; do
	tb ap-inet ethtool -K eth0 tx "$tx" >/dev/null
	collect ap-smap1; F1=$COLLECTED
	b_csum=$(stat fastpath_to_slowpath_checksum)
	b_fast=$(stat fastpath_packets)
	inet udp --dst 192.0.2.1 --dport 10502 --count 3 >/dev/null
	expect "tx checksum offload $tx at ap-inet: UDP reaches smap1 with its checksum right" 3 "$F1" \
		"$IN and p['proto'] == 17 and p['dport'] == 10502 and p['l4_csum_ok']"
	[ -n "$fast" ] || continue
	d_csum=$(( $(stat fastpath_to_slowpath_checksum) - b_csum ))
	d_fast=$(( $(stat fastpath_packets) - b_fast ))
	if [ "$tx" = on ]; then
		[ "$d_csum" = 3 ] && pass "offloaded checksums go to the NFQUEUE path (fastpath_to_slowpath_checksum +3)" ||
			fail "offloaded checksums go to the NFQUEUE path" "fastpath_to_slowpath_checksum +$d_csum"
	else
		[ "$d_fast" -ge 3 ] && [ "$d_csum" = 0 ] && pass "full checksums take the fast path (fastpath_packets +$d_fast)" ||
			fail "full checksums take the fast path" "fastpath_packets +$d_fast, fastpath_to_slowpath_checksum +$d_csum"
	fi
done
tb ap-inet ethtool -K eth0 tx "$offload" >/dev/null

# --- the NFQUEUE path sends through its packet socket once it knows the
# next hop (prr/nexthop_cache.h): the raw socket's sends are ap-prr's
# Ip6OutRequests, the packet socket's are not. A miss (the first packet,
# or one after each second the cache keeps a hop) goes raw: of 200 sent
# at once, a few (one a second however slow the sender)
if [ -z "$fast" ]; then
	out6() { tb ap-prr awk '$1 == "Ip6OutRequests" { print $2 }' /proc/net/snmp6; }
	collect ap-smap1; F1=$COLLECTED
	inet udp --dst 192.0.2.1 --dport 10503 >/dev/null
	expect "a first packet reaches smap1" 1 "$F1" "$IN and p['dport'] == 10503"
	b_out6=$(out6)
	inet udp --dst 192.0.2.1 --dport 10504 --count 200 >/dev/null
	expect "200 more reach smap1" 200 "$F1" "$IN and p['dport'] == 10504 and p['l4_csum_ok']"
	d_out6=$(( $(out6) - b_out6 ))
	[ "$d_out6" -lt 100 ] && pass "most left through the packet socket (raw socket: $d_out6 of 200)" ||
		fail "most left through the packet socket" "the raw socket sent $d_out6 of 200"
fi

# --- a full-size download packet: IPv4 1460 bytes (a 1460-byte segment after
# the SMAP's MSS, or a sender's PMTUD) is 1500 in IPv6, the access MTU here:
# over 1280, yet no path MTU is learnt for smap1, so the fast path takes it
collect ap-smap1; F1=$COLLECTED
b_fast=$(stat fastpath_packets)
b_mtu=$(stat fastpath_to_slowpath_mtu)
inet udp --dst 192.0.2.1 --dport 10505 --len 1432 --count 3 >/dev/null
expect "1460-byte DF datagrams reach smap1 whole, unfragmented" 3 "$F1" \
	"$IN and p['dport'] == 10505 and p['payload_len'] == 1432 and p['whole'] and p['l4_csum_ok']"
if [ -n "$fast" ]; then
	d_fast=$(( $(stat fastpath_packets) - b_fast ))
	d_mtu=$(( $(stat fastpath_to_slowpath_mtu) - b_mtu ))
	[ "$d_fast" -ge 3 ] && [ "$d_mtu" = 0 ] && pass "full-size packets to smap1 take the fast path (fastpath_packets +$d_fast)" ||
		fail "full-size packets to smap1 take the fast path" "fastpath_packets +$d_fast, fastpath_to_slowpath_mtu +$d_mtu"
fi

# --- the fast path's next hops are the FIB's of a second ago at most (it
# keeps them a second, bpf/prr_xdp.bpf.c nexthops): once a route to smap1
# goes unreachable, packets leave the fast path (no_route); once it is
# back, they take it again
if [ -n "$fast" ]; then
	b_nr=$(stat fastpath_to_slowpath_no_route)
	inet udp --dst 192.0.2.1 --dport 10506 >/dev/null
	tb ap-prr ip -6 route add unreachable 2001:db8:1::2/128
	on_exit "tb ap-prr ip -6 route del unreachable 2001:db8:1::2/128 2>/dev/null"
	no_route() {
		inet udp --dst 192.0.2.1 --dport 10506 >/dev/null
		[ "$(stat fastpath_to_slowpath_no_route)" -gt "$b_nr" ]
	}
	wait_for -t 10 no_route && pass "a route gone unreachable takes smap1's packets off the fast path (no_route)" ||
		fail "a route gone unreachable takes packets off the fast path" "fastpath_to_slowpath_no_route still $b_nr"
	tb ap-prr ip -6 route del unreachable 2001:db8:1::2/128
	collect ap-smap1; F1=$COLLECTED
	b_fast=$(stat fastpath_packets)
	inet udp --dst 192.0.2.1 --dport 10507 --count 3 >/dev/null
	expect "the route back: smap1 gets its packets" 3 "$F1" "$IN and p['dport'] == 10507"
	d_fast=$(( $(stat fastpath_packets) - b_fast ))
	[ "$d_fast" -ge 3 ] && pass "the route back: the fast path takes them (fastpath_packets +$d_fast)" ||
		fail "the route back: the fast path takes them" "fastpath_packets +$d_fast"
fi

# --- prrctl assign and release take effect at once, on either path -------------
# (over XDP, the binding map changes with them: an unbound packet is
# dropped by the fast path itself here, unbound_icmp = "none")
# a SMAP address of its own on ap-smap1, so that releasing it leaves
# smap1's alone (deprecated: never the source of what ap-smap1 sends)
tb ap-smap1 ip -6 addr add 2001:db8:1::3/128 dev wan0 nodad preferred_lft 0
on_exit "tb ap-inet ethtool -K eth0 tx $offload >/dev/null; \"\${PRRCTL[@]}\" release 2001:db8:1::3 >/dev/null 2>&1; tb ap-smap1 ip -6 addr del 2001:db8:1::3/128 dev wan0 2>/dev/null"
IN2='p["src"] == "198.51.100.10" and p["dst"] == "192.0.2.2" and p["dport"] == 20500 and p["outer_dst"] == "2001:db8:1::3"'
b_fast=$(stat fastpath_packets)
b_unb=$(stat in4_drop_unbound)
check "prrctl assign 2001:db8:1::3 192.0.2.2 20000-20999" "${PRRCTL[@]}" assign 2001:db8:1::3 192.0.2.2 20000-20999
collect ap-smap1; F1=$COLLECTED
inet udp --dst 192.0.2.2 --dport 20500 --count 3 >/dev/null
expect "the assigned port reaches smap1 at once" 3 "$F1" "$IN2"
if [ -n "$fast" ]; then
	d=$(( $(stat fastpath_packets) - b_fast ))
	[ "$d" -ge 3 ] && pass "the fast path took them (fastpath_packets +$d)" ||
		fail "the fast path took them" "fastpath_packets +$d"
fi
check "prrctl release 2001:db8:1::3" "${PRRCTL[@]}" release 2001:db8:1::3
collect ap-smap1; F1=$COLLECTED
inet udp --dst 192.0.2.2 --dport 20500 --count 3 >/dev/null
wait_ge $((b_unb + 3)) stat in4_drop_unbound || true
d=$(( $(stat in4_drop_unbound) - b_unb ))
[ "$d" = 3 ] && pass "released: dropped as unbound at once (in4_drop_unbound +3)" ||
	fail "released: dropped as unbound at once" "in4_drop_unbound +$d"
expect "released: nothing of it reaches smap1" 0 "$F1" "$IN2"
tb ap-smap1 ip -6 addr del 2001:db8:1::3/128 dev wan0

# --- an unbound port is dropped and counted -------------------------------
before=$(stat in4_drop_unbound)
collect ap-smap1; F1=$COLLECTED
collect ap-smap2; F2=$COLLECTED
inet udp --dst 192.0.2.1 --dport 15000 --count 3 >/dev/null
# all three dropped by the PRR: then none is on its way to a SMAP
wait_ge $((before + 3)) stat in4_drop_unbound || true
after=$(stat in4_drop_unbound)
expect "port 15000 reaches no SMAP (smap1)" 0 "$F1" "p['dport'] == 15000"
expect "port 15000 reaches no SMAP (smap2)" 0 "$F2" "p['dport'] == 15000"
if [ $((after - before)) -ge 3 ]; then pass "port 15000 counted as in4_drop_unbound"
else fail "port 15000 counted as in4_drop_unbound" "counter went from $before to $after"; fi

# --- anti-spoofing: smap2 sending from smap1's port never gets out ---------
before=$(stat in6_drop_spoofed)
L=$(tmpfile)
listen 7001 2
standin ap-smap2 send --src 192.0.2.1 --sport 10001 --dst 198.51.100.10 --dport 7001 --count 3 >/dev/null
if wait "$LP"; then fail "spoofed source port never reaches ap-inet" "a datagram arrived"
else pass "spoofed source port never reaches ap-inet"; fi
after=$(stat in6_drop_spoofed)
if [ $((after - before)) -ge 3 ]; then pass "spoofed packets counted as in6_drop_spoofed"
else fail "spoofed packets counted as in6_drop_spoofed" "counter went from $before to $after"; fi
# the positive control: its own port gets out, with the shared source
listen 7002 3
standin ap-smap2 send --src 192.0.2.1 --sport 11001 --dst 198.51.100.10 --dport 7002 >/dev/null
if wait "$LP"; then pass "smap2's own port 11001 reaches ap-inet"
else fail "smap2's own port 11001 reaches ap-inet" "nothing arrived"; fi

# --- ICMP echo both ways ------------------------------------------------------
# inbound: the stand-in of the testbed answers echo requests (echo mode)
out=$(inet ping --dst 192.0.2.1 --id 10123 || true)
if echo "$out" | grep -q '"src": "192.0.2.1", "type": 0, "id": 10123'; then
	pass "ping 192.0.2.1 id 10123 from ap-inet answered through smap1"
else
	fail "ping 192.0.2.1 id 10123 from ap-inet answered through smap1" "$out"
fi
out=$(inet ping --dst 192.0.2.1 --id 11123 || true)
if echo "$out" | grep -q '"type": 0, "id": 11123'; then
	pass "ping id 11123 answered through smap2"
else
	fail "ping id 11123 answered through smap2" "$out"
fi
out=$(inet ping --dst 192.0.2.1 --id 15123 --timeout 1 || true)
if echo "$out" | grep -q '"reply": null'; then pass "ping with an unbound identifier gets no answer"
else fail "ping with an unbound identifier gets no answer" "$out"; fi
# outbound: smap1 pings ap-inet with identifier 10050; the reply comes back
collect ap-smap1; F1=$COLLECTED
standin ap-smap1 send --proto icmp --src 192.0.2.1 --sport 10050 --dst 198.51.100.10 >/dev/null
expect "echo reply to smap1's ping (id 10050) comes back to smap1" 1 "$F1" "p['proto'] == 1 and p.get('icmp_type') == 0 and p['dport'] == 10050"

# --- fragments from the Internet arrive whole, in any order ---------------------
for order in "" --reverse --shuffle; do
	collect ap-smap1; F1=$COLLECTED
	inet frag --dst 192.0.2.1 --dport 10700 --len 3000 $order >/dev/null
		expect "3000-byte UDP in fragments ${order:-in order} arrives whole at smap1" 1 "$F1" \
		"p['proto'] == 17 and p['dport'] == 10700 and p['len'] == 3000 and p['whole'] and p['l4_csum_ok']"
done

# --- MTU 1280 toward smap2: fragmentation needed comes back -------------------
out=$(inet probe --dst 192.0.2.1 --dport 11500 --len 1400 --df --tries 3 || true)
mtu=$(echo "$out" | "$PYTHON" -c 'import json,sys; d=json.loads(sys.stdin.read() or "{}"); print(d.get("mtu") if d.get("type") == 3 and d.get("code") == 4 else "")' 2>/dev/null || true)
if [ -n "$mtu" ] && [ "$mtu" -le 1240 ] && [ "$mtu" -ge 1200 ]; then
	pass "1400-byte DF toward smap2 brings fragmentation needed, MTU $mtu"
else
	fail "1400-byte DF toward smap2 brings fragmentation needed with MTU <= 1240" "$out"
fi
# and without DF it is fragmented (as IPv6) and arrives whole
collect ap-smap2; F2=$COLLECTED
inet udp --dst 192.0.2.1 --dport 11501 --len 1400 --no-df >/dev/null
expect "1400-byte datagram without DF reaches smap2 over the 1280 link" 1 "$F2" "p['dport'] == 11501 and p['payload_len'] == 1400 and p['whole']"

# --- TTL ----------------------------------------------------------------------
out=$(inet probe --dst 192.0.2.1 --dport 10501 --ttl 1 || true)
if echo "$out" | grep -q '"src": "198.51.100.1", "type": 11'; then pass "TTL 1 brings time exceeded from the PRR"
else fail "TTL 1 brings time exceeded from the PRR" "$out"; fi

# --- hairpinning between the two SMAPs ---------------------------------------
collect ap-smap2; F2=$COLLECTED
standin ap-smap1 send --src 192.0.2.1 --sport 10007 --dst 192.0.2.1 --dport 11007 >/dev/null
expect "smap1 to 192.0.2.1:11007 is hairpinned to smap2" 1 "$F2" \
	"p['src'] == '192.0.2.1' and p['sport'] == 10007 and p['dport'] == 11007 and p['ttl'] == 63"
before=$(stat in6_hairpinned)
[ "$before" -ge 1 ] && pass "hairpin counted" || fail "hairpin counted" "in6_hairpinned = $before"

# --- counters are readable, every drop by name ---------------------------------
if "${PRRCTL[@]}" stats | grep -q '^in4_drop_unbound'; then pass "prrctl stats shows named drop counters"
else fail "prrctl stats shows named drop counters" "$("${PRRCTL[@]}" stats 2>&1 | head -3)"; fi
out=$("${PRRCTL[@]}" --json list)
if echo "$out" | "$PYTHON" -c '
import json, sys
b = json.load(sys.stdin)
ok = {(x["ipv6"], x["ipv4"], x["port_min"], x["port_max"]) for x in b}
sys.exit(0 if ok == {("2001:db8:1::2", "192.0.2.1", 10000, 10999), ("2001:db8:2::2", "192.0.2.1", 11000, 11999)} else 1)'
then pass "prrctl --json list shows both bindings"
else fail "prrctl --json list shows both bindings" "$out"; fi
