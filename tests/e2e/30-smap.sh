#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMAP end to end, with the real PRR: LAN hosts of both SMAPs reach
# the IPv4 Internet through one shared address (TCP, UDP, ICMP echo,
# traceroute, all at once), ports stay in each SMAP's set, the 1280-byte
# path needs no manual MTU, 2,000 UDP flows, the SMAP's own traffic,
# packet too big at run time, and the inbound drops.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

for n in 1 2; do
	smap_running $n || { fail "smap$n running" "the testbed's smap$n is not running (etc/testbed/smap$n.conf?)"; exit 1; }
done
pass "smap1 and smap2 running"

# --- servers in ap-inet ------------------------------------------------------
WWW=$E2E_TMP/www
mkdir -p "$WWW"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$WWW/big.bin"
SUM=$(sha256sum <"$WWW/big.bin" | cut -d' ' -f1)
HTTP_LOG=$E2E_TMP/http.log
UDP_LOG=$E2E_TMP/udp.log
FLOW_LOG=$E2E_TMP/flows.log
bg ap-inet sh -c "exec '$PYTHON' '$TOOL' http-server --port 8080 --dir '$WWW' --ready '$E2E_TMP/http.ready' 2>'$HTTP_LOG'"
wait_for -t 10 test -e "$E2E_TMP/http.ready"
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --log "$UDP_LOG" --ready "$E2E_TMP/udp.ready"
start_server flows ap-inet "$PYTHON" "$TOOL" udp-server --port 9998 --log "$FLOW_LOG" --ready "$E2E_TMP/flows.ready"

# --- three LAN hosts at once: HTTP 10 MB, UDP, ping, traceroute ---------------
# All three are 192.0.2.1 to ap-inet, whose ICMP error rate limit is per
# destination address: lift it for the traceroutes' port unreachables.
ratelimit=$(tb ap-inet sysctl -n net.ipv4.icmp_ratelimit)
tb ap-inet sysctl -qw net.ipv4.icmp_ratelimit=0
pids=""
for h in h11 h12 h21; do
	o=$E2E_TMP/$h
	( tb "ap-$h" curl -s --max-time 120 -o "$o.bin" -w '%{http_code}\n' "http://$INET:8080/big.bin" >"$o.http" 2>&1 ) &
	pids="$pids $!"
	( tb "ap-$h" "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 200 >"$o.udp" 2>&1 ) &
	pids="$pids $!"
	( tb "ap-$h" ping -c 5 -i 0.2 -W 2 "$INET" >"$o.ping" 2>&1 ) &
	pids="$pids $!"
	( tb "ap-$h" traceroute -n -q 1 -w 2 -m 6 "$INET" >"$o.tr" 2>&1 ) &
	pids="$pids $!"
	( tb "ap-$h" traceroute -I -n -q 1 -w 2 -m 6 "$INET" >"$o.tri" 2>&1 ) &
	pids="$pids $!"
done
BG_PIDS="$BG_PIDS $pids"
for p in $pids; do wait "$p" || true; done
tb ap-inet sysctl -qw net.ipv4.icmp_ratelimit="$ratelimit"

for h in h11 h12 h21; do
	o=$E2E_TMP/$h
	case $h in h21) lo=11000 hi=11999 gw=192.168.2.1 ;; *) lo=10000 hi=10999 gw=192.168.1.1 ;; esac
	got=$(sha256sum <"$o.bin" 2>/dev/null | cut -d' ' -f1)
	if [ "$(head -1 "$o.http")" = 200 ] && [ "$got" = "$SUM" ]; then
		pass "$h: HTTP download of 10 MB, sha256 matches"
	else
		fail "$h: HTTP download of 10 MB, sha256 matches" "$(oneline "$(cat "$o.http")") sha256 $got"
	fi
	u=$(cat "$o.udp")
	if [ "$(jget "$u" ok)" = True ] && [ "$(jget "$u" src)" = 192.0.2.1 ] &&
	    in_range "[$(jget "$u" sport)]" $lo $hi; then
		pass "$h: UDP request/response; the server saw 192.0.2.1:$(jget "$u" sport) ($lo-$hi)"
	else
		fail "$h: UDP request/response from 192.0.2.1 and a port in $lo-$hi" "$u"
	fi
	if grep -q ' 0% packet loss' "$o.ping"; then pass "$h: ping"
	else fail "$h: ping" "$(oneline "$(tail -2 "$o.ping")")"; fi
	# hop 1 is the SMAP (TTL expiry there), the last the server (port
	# unreachable / echo reply come back through the softwire)
	for t in tr tri; do
		if sed -n 2p "$o.$t" | grep -q " $gw " && tail -1 "$o.$t" | grep -q " $INET "; then
			pass "$h: traceroute${t#tr} (hop 1 $gw, ends at $INET)"
		else
			fail "$h: traceroute${t#tr}" "$(oneline "$(cat "$o.$t")")"
		fi
	done
done

# the server's view: every client was 192.0.2.1, ports in the SMAPs' sets
http=$(tb ap-inet "$PYTHON" "$TOOL" http-log "$HTTP_LOG")
if "$PYTHON" -c '
import json, sys
e = json.loads(sys.argv[1])
a = [p for s, p in e if s == "192.0.2.1" and 10000 <= p <= 10999]
b = [p for s, p in e if s == "192.0.2.1" and 11000 <= p <= 11999]
sys.exit(0 if len(e) == 3 and len(a) == 2 and len(b) == 1 else 1)' "$http"; then
	pass "HTTP server saw 192.0.2.1 twice from smap1's set and once from smap2's: $http"
else
	fail "HTTP server saw 192.0.2.1 from the right sets" "$http"
fi

# --- the 1280-byte path: no manual MTU ----------------------------------------
[ "$(smap_status 2 tun_mtu)" = 1240 ] && pass "smap2's TUN MTU is 1240 (WAN MTU 1280 - 40)" ||
	fail "smap2's TUN MTU is 1240" "$(smap_status 2 tun_mtu)"
[ "$(smap_status 1 tun_mtu)" = 1460 ] && pass "smap1's TUN MTU is 1460" ||
	fail "smap1's TUN MTU is 1460" "$(smap_status 1 tun_mtu)"
u=$(tb ap-h21 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 3000 || true)
if [ "$(jget "$u" ok)" = True ]; then pass "h21: 3000-byte UDP exchange over the 1280 path"
else fail "h21: 3000-byte UDP exchange over the 1280 path" "$u"; fi
out=$(tb ap-h21 ping -M do -s 1300 -c 1 -W 2 "$INET" 2>&1 || true)
if echo "$out" | grep -Eq 'mtu ?= ?1240'; then pass "h21: DF packet too big gets fragmentation needed, mtu 1240"
else fail "h21: DF packet too big gets fragmentation needed, mtu 1240" "$(oneline "$out")"; fi
# The first large reply toward smap2 teaches the PRR its path MTU: it
# leaves in 1500-byte IPv6 fragments, ap-core answers packet too big
# (in6_packet_too_big) and that one reply is lost, as PMTUD loses it
# anywhere. So warm-up pings until one is answered (under load the PRR may
# learn the MTU only after the next reply has left), then none may be lost.
wait_for -t 20 tb ap-h21 ping -M dont -s 2000 -c 1 -W 2 "$INET" || true
out=$(tb ap-h21 ping -M dont -s 2000 -c 2 -W 2 "$INET" 2>&1 || true)
if echo "$out" | grep -q ' 0% packet loss'; then pass "h21: 2028-byte ping without DF is fragmented and answered"
else fail "h21: 2028-byte ping without DF is fragmented and answered" "$(oneline "$out")"; fi
# MSS clamped on the softwire: the server sees MSS 1200 from h21
SYN=$(tmpfile)
bg ap-inet timeout 8 tcpdump -l -n -v -c 1 -i eth0 'tcp dst port 8080 and tcp[tcpflags] == tcp-syn' >"$SYN" 2>"$SYN.log"
syn_pid=$BG_PID
wait_for -t 10 grep -q 'listening on' "$SYN.log" || true
tb ap-h21 curl -s --max-time 5 -o /dev/null "http://$INET:8080/" || true
wait "$syn_pid" || true
out=$(cat "$SYN")
if echo "$out" | grep -q 'mss 1200'; then pass "h21's SYN reaches the server with MSS clamped to 1200"
else fail "h21's SYN reaches the server with MSS clamped to 1200" "$(oneline "$out")"; fi

# --- the SMAP's own traffic leaves through its port set -------------------------
u=$(tb ap-smap1 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 || true)
if [ "$(jget "$u" src)" = 192.0.2.1 ] && in_range "[$(jget "$u" sport)]" 10000 10999; then
	pass "smap1's own UDP leaves from 192.0.2.1:$(jget "$u" sport)"
else
	fail "smap1's own UDP leaves from 192.0.2.1 and a port of its set" "$u"
fi
check "smap1's own ping reaches $INET" tb ap-smap1 ping -c 1 -W 2 "$INET"

# --- inbound: a port of the set with no mapping; a source that is not the PRR ----
before=$(smap_stat 1 in_drop_unmapped)
tb ap-inet "$PYTHON" "$E2E_DIR/inet-tool" udp --dst 192.0.2.1 --dport 10997 --count 3 >/dev/null
wait_ge $((before + 3)) smap_stat 1 in_drop_unmapped || true
after=$(smap_stat 1 in_drop_unmapped)
if [ $((after - before)) -ge 3 ]; then pass "unmapped port 10997 dropped at smap1 and counted (in_drop_unmapped +$((after - before)))"
else fail "unmapped port 10997 dropped at smap1 and counted" "in_drop_unmapped $before -> $after"; fi

before=$(smap_stat 1 in_drop_not_prr)
deliv=$(smap_stat 1 in_delivered)
standin ap-core send --prr 2001:db8:1::2 --src "$INET" --sport 9999 --dst 192.0.2.1 --dport 10500 --count 3 >/dev/null
wait_ge $((before + 3)) smap_stat 1 in_drop_not_prr || true
after=$(smap_stat 1 in_drop_not_prr)
if [ $((after - before)) -ge 3 ]; then pass "softwire packets from ap-core (not the PRR) dropped and counted (in_drop_not_prr +$((after - before)))"
else fail "softwire packets from ap-core dropped and counted" "in_drop_not_prr $before -> $after"; fi

# --- packet too big from the access network lowers the softwire MTU -------------
# a narrower hop toward the PRR only (a host route with MTU 1400 in ap-core),
# so ap-core answers smap1's bigger packets with packet too big
ip -n ap-core -6 route add 2001:db8:100::1/128 dev prr0 mtu 1400
restore_mtu() {
	ip -n ap-core -6 route del 2001:db8:100::1/128 dev prr0 2>/dev/null || true
	ip -n ap-smap1 -6 route flush cache 2>/dev/null || true
}
ptb=$(smap_stat 1 ptb_received)
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 3000 --tries 4 || true)
if wait_for -t 5 sh -c "[ \"\$('$SMAP' status --json -s '$RUN/smap1.sock' | '$PYTHON' -c 'import json,sys; print(json.load(sys.stdin)[\"tun_mtu\"])')\" = 1360 ]"; then
	pass "ICMPv6 packet too big (1400) lowers smap1's TUN MTU to 1360 (ptb_received $ptb -> $(smap_stat 1 ptb_received))"
else
	fail "ICMPv6 packet too big (1400) lowers smap1's TUN MTU to 1360" "tun_mtu $(smap_status 1 tun_mtu), ptb_received $(smap_stat 1 ptb_received)"
fi
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 3000 || true)
[ "$(jget "$u" ok)" = True ] && pass "3000-byte UDP exchange after the MTU dropped" ||
	fail "3000-byte UDP exchange after the MTU dropped" "$u"
got=$(tb ap-h11 curl -s --max-time 60 "http://$INET:8080/big.bin" | sha256sum | cut -d' ' -f1)
[ "$got" = "$SUM" ] && pass "10 MB HTTP download at the lowered MTU" ||
	fail "10 MB HTTP download at the lowered MTU" "sha256 $got"
restore_mtu
if wait_for -t 8 sh -c "[ \"\$('$SMAP' status --json -s '$RUN/smap1.sock' | '$PYTHON' -c 'import json,sys; print(json.load(sys.stdin)[\"tun_mtu\"])')\" = 1460 ]"; then
	pass "smap1's TUN MTU back to 1460 once the path MTU is restored"
else
	fail "smap1's TUN MTU back to 1460 once the path MTU is restored" "$(smap_status 1 tun_mtu)"
fi

# --- 2,000 concurrent UDP flows from h11 -----------------------------------------
out=$(tb ap-h11 "$PYTHON" "$TOOL" udp-flows --dst "$INET" --port 9998 --count 2000 --timeout 8)
ports=$("$PYTHON" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["ports"]))' "$out")
rep=$(jget "$out" replied)
if "$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
p = d["ports"]
ok = d["srcs"] == ["192.0.2.1"] and len(set(p)) == len(p) and all(10000 <= x <= 10999 for x in p)
sys.exit(0 if ok and len(p) >= 900 else 1)' "$out"; then
	pass "2000 UDP flows: $rep got distinct ports in 10000-10999, the rest failed (set exhausted)"
else
	fail "2000 UDP flows get distinct ports in 10000-10999" "replied $rep; $(oneline "$(echo "$out" | cut -c1-300)")"
fi
leak=$("$PYTHON" -c '
import sys
bad = 0
for line in open(sys.argv[1]):
    _, src, port, _ = line.split()
    if src != "192.0.2.1" or not 10000 <= int(port) <= 10999:
        bad += 1
print(bad)' "$FLOW_LOG")
n=$(wc -l <"$FLOW_LOG")
[ "$leak" = 0 ] && [ "$n" -ge 900 ] && pass "ap-inet saw $n flow datagrams, none from outside 192.0.2.1:10000-10999" ||
	fail "no flow leaks outside the set (seen on ap-inet)" "$leak of $n outside"
# give the ports back for the tests that follow
tb ap-smap1 conntrack -D -p udp --dport 9998 >/dev/null 2>&1 || true

# --- counters --------------------------------------------------------------------
if smapctl 1 stats | grep -q '^in_drop_not_prr'; then pass "smap stats shows named drop counters"
else fail "smap stats shows named drop counters" "$(smapctl 1 stats 2>&1 | head -3)"; fi
