#!/bin/bash
# SPDX-License-Identifier: MIT
# Registration abuse and crashes, against the testbed's PRR (issue 15):
#   - ICMPv6 errors injected from the access side whose quote is not a
#     packet the PRR sent that SMAP (or a SMAP telling of another's) move
#     no path MTU and are not relayed; a flood of relayed errors does not
#     silence the PRR's own ICMP errors (their own rate-limit bucket)
#   - on the --register variant: a stranger flooding registrations from
#     one /64 gets no more than the subscriber limit, and a later
#     subscriber still gets a set; refusals are logged aggregated
#   - a delete or renewal with another nonce than the victim's is
#     NOT_AUTHORIZED, and the victim keeps its set and its traffic
#   - SIGKILL during a registration flood, three times at random moments:
#     every acknowledged registration is there afterwards, the allocation
#     log names nobody who was not acknowledged, prr starts cleanly
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PRRCTL=${AP_BIN:-$ROOT/build/bin}/prrctl
PCP=$E2E_DIR/pcp-tool
INJECT=$E2E_DIR/icmp6-inject
REGCONF=etc/testbed/register/prr.conf
ALLOC=$REG_ALLOC
prrctl() { "$PRRCTL" -s "$PRR_SOCK" "$@"; }
pcp() { local ns=$1; shift; tb "$ns" "$PYTHON" "$PCP" "$@"; }
inject() { tb ap-smap1 "$PYTHON" "$INJECT" "$@"; }
pstat() { prrctl stats | awk -v k="$1" '$1 == k { print $2 }'; }
above() { [ "$(smap_status "$1" "$2")" -gt "$3" ]; }	# above N KEY VALUE
# ap-inet's path MTU to 192.0.2.1, as an ICMP fragmentation needed set it
inet_pmtu() { tb ap-inet ip -4 route get 192.0.2.1 | grep -o 'mtu [0-9]*' || true; }
pmtu_is() { [ "$(inet_pmtu)" = "mtu $1" ]; }
at_least() { [ "$(pstat "$1")" -ge "$2" ]; }	# at_least COUNTER N
bound() { [ "$(smap_status "$1" reg_bound 2>/dev/null)" = yes ]; }
set_of() { echo "$(smap_status "$1" ipv4) $(smap_status "$1" ports)"; }
prr_restart() { "$TESTBED" restart prr "${1:-$REGCONF}" >/dev/null; }
# "ipv6 ipv4 min-max origin state" lines
prr_list() {
	prrctl --json list | "$PYTHON" -c 'import json,sys
for b in sorted(json.load(sys.stdin), key=lambda b: b["ipv6"]):
    print(b["ipv6"], b["ipv4"], "%s-%s" % (b.get("port_min"), b.get("port_max")), b.get("origin"), b.get("state", ""))'
}

have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }
if [ -n "$(smap_status 1 registration 2>/dev/null || true)" ]; then
	fail "plain testbed" "the ICMPv6 part needs the plain testbed's static bindings (tests/run brings it up)"
	exit 1
fi

restore() {
	tb ap-prr ip -6 route del local 2001:db8:ffee::/64 dev lo 2>/dev/null || true
	tb ap-smap2 ip -6 addr del 2001:db8:2::77/64 dev wan0 2>/dev/null || true
	tb ap-inet ip -4 route flush cache 2>/dev/null || true
	register_restore
}
on_exit restore

# --- ICMPv6 injection (plain testbed: smap1 2001:db8:1::2 owns 192.0.2.1:10000-10999,
# smap2 2001:db8:2::2 11000-11999) ---------------------------------------------
ptb0=$(pstat in6_packet_too_big); un0=$(pstat in6_drop_icmp_unmatched)
# a SMAP telling of a packet to another SMAP
inject --src 2001:db8:1::2 --dst 2001:db8:2::2 --v4dst 192.0.2.1 --port 11500
# a spoofed router: the port is smap1's, the packet said to have gone to smap2
inject --src 2001:db8:1::99 --dst 2001:db8:2::2 --v4dst 192.0.2.1 --port 10500
# nobody's address
inject --src 2001:db8:1::99 --dst 2001:db8:2::2 --v4dst 192.0.2.9 --port 11500
# smap1's address, smap2's port
inject --src 2001:db8:1::99 --dst 2001:db8:1::2 --v4dst 192.0.2.1 --port 11500 --mtu 1300
if wait_for -t 10 at_least in6_drop_icmp_unmatched $((un0 + 4)) &&
    [ "$(pstat in6_packet_too_big)" = "$ptb0" ]; then
	pass "4 injected packet-too-big errors dropped as unmatched (in6_drop_icmp_unmatched +4), no path MTU moved (in6_packet_too_big still $ptb0)"
else
	fail "injected ICMPv6 dropped" "unmatched $(pstat in6_drop_icmp_unmatched) (was $un0), packet_too_big $(pstat in6_packet_too_big) (was $ptb0)"
fi
# the same check lets a real one through: from the access router, about smap2's packet
inject --src 2001:db8:2::1 --dst 2001:db8:2::2 --v4dst 192.0.2.1 --port 11500
if wait_for -t 10 at_least in6_packet_too_big $((ptb0 + 1)); then
	pass "a packet-too-big whose quote is smap2's own packet is accepted (in6_packet_too_big +1)"
else
	fail "a matching packet-too-big accepted" "in6_packet_too_big $(pstat in6_packet_too_big), unmatched $(pstat in6_drop_icmp_unmatched)"
fi

# a flood of relayable errors (unreachable about smap1's packets, from many
# senders so that both workers see it) while the PRR must send its own error;
# the limit lowered to 20 errors per 2 s and worker, so that the flood goes
# over it however slowly a loaded machine lets scapy send
LOWRATE=$(tmpfile)
printf '@include "%s"\nicmp_rate_limit = 20;\n' "$ROOT/etc/testbed/prr.conf" >"$LOWRATE"
"$TESTBED" restart prr "$LOWRATE" >/dev/null
rl0=$(pstat icmp_relay_ratelimited); own0=$(pstat icmp_ratelimited)
in40=$(pstat in4_packets); big0=$(pstat in4_drop_too_big); ic40=$(pstat icmp4_sent)
# the flood lasts until the checks are done (a stop file), not a fixed time:
# under load scapy may take seconds to start sending
STOP=$(tmpfile); rm -f "$STOP"
inject --src 2001:db8:1::1000 --dst 2001:db8:1::2 --v4dst 192.0.2.1 --port 10500 \
	--type unreach --count 64 --vary-src --seconds 120 --stop-file "$STOP" &
flood=$!
tb ap-inet ip -4 route flush cache
if wait_for -t 90 at_least icmp_relay_ratelimited $((rl0 + 50)); then
	# a DF datagram that fits no softwire (1500 + 40 > the IPv6 side's 1500):
	# the PRR's own fragmentation needed, which sets ap-inet's path MTU.
	# The sender keeps its socket until then: the kernel takes the MTU of
	# an ICMP error only through the socket it quotes (udp_err), and with
	# the flood queued ahead, the answer can come after a sender that has
	# already exited (counted IcmpInErrors, no path MTU)
	seen=$(tb ap-inet "$PYTHON" -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 2)  # IP_MTU_DISCOVER = IP_PMTUDISC_DO
s.connect(("192.0.2.1", 10600))
s.send(b"x" * 1472)
def mtu():
    try:
        return s.getsockopt(socket.IPPROTO_IP, 14)  # IP_MTU
    except OSError as e:
        return str(e)
end = time.monotonic() + 10
while time.monotonic() < end and mtu() != 1460:
    time.sleep(0.02)
print(mtu())' 2>&1)
	if pmtu_is 1460 && at_least icmp_relay_ratelimited $((rl0 + 50)) &&
	    [ "$(pstat icmp_ratelimited)" = "$own0" ]; then
		pass "relay flood over its own limit (icmp_relay_ratelimited +$(( $(pstat icmp_relay_ratelimited) - rl0 ))) while the PRR's own fragmentation needed reached ap-inet (path MTU 1460)"
	else
		fail "own errors during a relay flood" "ap-inet: '$(inet_pmtu)', icmp_ratelimited $(pstat icmp_ratelimited) (was $own0), relay limited $(pstat icmp_relay_ratelimited) (was $rl0); in4_packets $(pstat in4_packets) (was $in40), in4_drop_too_big $(pstat in4_drop_too_big) (was $big0), icmp4_sent $(pstat icmp4_sent) (was $ic40), tx_errors $(pstat tx_errors); the sender saw MTU $seen"
	fi
else
	fail "relay flood reaches its limit" "icmp_relay_ratelimited $(pstat icmp_relay_ratelimited) (was $rl0)"
fi
touch "$STOP"
wait "$flood" 2>/dev/null || true
tb ap-inet ip -4 route flush cache

# --- the --register variant ---------------------------------------------------
register_variant
if wait_for -t 30 bound 1 && wait_for -t 30 bound 2; then
	S1=$(set_of 1); S2=$(set_of 2)
	pass "register variant: smap1 $S1, smap2 $S2"
else
	fail "SMAPs registered" "smap1 $(smap_status 1 registration), smap2 $(smap_status 2 registration)"
	exit 1
fi

# --- pool exhaustion from one /64 ---------------------------------------------
req0=$(( $(pstat pcp_requests) + $(pstat pcp_drop_ratelimited) ))
refusals0=$(grep -c 'refused' "$RUN/prr.log" || true)
pcp ap-smap1 flood --prefix 2001:db8:1:: --count 150
got() { [ $(( $(pstat pcp_requests) + $(pstat pcp_drop_ratelimited) )) -ge "$1" ]; }
wait_for -t 10 got $((req0 + 150)) || true
n1=$(prr_list | grep -c '^2001:db8:1:' || true)
tb ap-smap2 ip -6 addr add 2001:db8:2::77/64 dev wan0 nodad
r=$(pcp ap-smap2 map --src 2001:db8:2::77 || true)
refusals=$(( $(grep -c 'refused' "$RUN/prr.log" || true) - refusals0 ))
if [ "$n1" -le 3 ] && [ "$(pstat pcp_refused_limit)" -gt 0 ] && [ "$(jget "$r" result)" = SUCCESS ] &&
    [ "$refusals" -le 3 ]; then
	pass "150 registrations from 2001:db8:1::/64: $n1 sets there (limit 3, smap1's included, $(pstat pcp_refused_limit) USER_EX_QUOTA, $(pstat pcp_drop_ratelimited) rate-limited); a new subscriber in 2001:db8:2::/64 gets $(jget "$r" ipv4); $refusals refusal line(s) logged"
else
	fail "a /64 cannot exhaust the pool" "$n1 sets in 2001:db8:1::/64, refused_limit $(pstat pcp_refused_limit), new subscriber: $r, $refusals refusal lines"
fi

# --- set theft: a delete and a renewal with another nonce ---------------------
victim() { prr_list | grep "^2001:db8:1::2 " || true; }
v0=$(victim)
d=$(pcp ap-smap1 map --src 2001:db8:1::2 --lifetime 0 --nonce 0123456789abcdef01234567 || true)
rn=$(pcp ap-smap1 map --src 2001:db8:1::2 --lifetime 3600 --nonce 0123456789abcdef01234567 || true)
a=$(smap_status 1 reg_answers)
kill -HUP "$(smap_pid 1)"	# the victim renews with its own nonce
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --ready "$E2E_TMP/udp.ready"
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 200 || true)
if [ "$(jget "$d" result)" = NOT_AUTHORIZED ] && [ "$(jget "$rn" result)" = NOT_AUTHORIZED ] &&
    [ -n "$v0" ] && [ "$(victim)" = "$v0" ] &&
    wait_for -t 10 above 1 reg_answers "$a" &&
    [ "$(set_of 1)" = "$S1" ] && [ "$(jget "$u" ok)" = True ] && [ "$(jget "$u" src)" = "${S1%% *}" ]; then
	pass "delete and renewal with another nonce: NOT_AUTHORIZED; smap1 keeps $S1, renews it, h11's traffic leaves from it"
else
	fail "wrong-nonce delete/renewal" "delete $d; renewal $rn; entry '$(victim)' (was '$v0'); smap1 $(set_of 1); traffic $u"
fi

# --- a pool of 1110 sets of 100 ports, open to 2001:db8:ffee::/64 (routed to
# lo in ap-prr, so that registrations come from any address there)
KILLCONF=$(tmpfile)
sed -e 's#^\tauthorized = .*#\tauthorized = [ "2001:db8:1::/64", "2001:db8:2::/64", "2001:db8:ffee::/64" ];#' \
    -e 's/^\tsets_per_subscriber = .*/\tsets_per_subscriber = 0;/' \
    -e 's/^\tport_set_size = .*/\tport_set_size = 100;/' \
    -e 's/^\trate_limit = .*/\trate_limit = 100000;/' \
    -e 's/^\tprefix_rate_limit = .*/\tprefix_rate_limit = 100000;/' "$REGCONF" >"$KILLCONF"
tb ap-prr ip -6 route add local 2001:db8:ffee::/64 dev lo
prr_restart "$KILLCONF"
acked_enough() { [ "$(wc -l <"$1")" -ge "$2" ]; }	# acked_enough FILE N

# --- logrotate (etc/logrotate.d/prr) during a registration flood: no line lost
LR=$E2E_TMP/logrotate.conf
sed -e "s#^/var/log/prr/alloc.log {#$ALLOC {#" \
    -e "s#^\t\tsystemctl kill .*#\t\tkill -USR1 \$(cat $RUN/prr.pid)#" etc/logrotate.d/prr >"$LR"
ROT=$E2E_TMP/acked-rotation
: >"$ROT"
# three floods of 100, each rotated once 30 of its registrations are
# acknowledged: the rotation meets a flood going on, and never an empty
# log (notifempty would skip it)
for k in 1 2 3; do
	tb ap-prr "$PYTHON" "$PCP" register-many --prefix 2001:db8:ffee:: --first $((5001 + 100 * (k - 1))) \
		--count 100 --out "$ROT" &
	client=$!
	wait_for -t 20 acked_enough "$ROT" $((100 * (k - 1) + 30)) || true
	logrotate -f -s "$E2E_TMP/logrotate.state" "$LR"
	wait "$client" || true
done
lost=""
n_rot=$(wc -l <"$ROT")
logged=$(zcat -f "$ALLOC" "$ALLOC".* | awk -F'\t' '$3 == "allocate" && $4 ~ /^2001:db8:ffee:/ { print $4 }' | sort)
while read -r a _; do
	[ "$(printf '%s\n' "$logged" | grep -cx "$a")" = 1 ] || lost="$lost $a"
done <"$ROT"
read -r a0 v0 p0 _ <"$ROT"
w=$(prrctl whois "$v0:$p0" 2>&1 || true)
if [ "$n_rot" -ge 180 ] && [ -z "$lost" ] && [ -e "$ALLOC.3.gz" ] && [ -e "$ALLOC.1" ] &&
    case $w in *"$a0"*) true ;; *) false ;; esac; then
	pass "logrotate 3 times during $n_rot registrations (SIGUSR1): every allocation logged exactly once across $(ls "$ALLOC"* | wc -l) files; whois finds $a0 in the oldest"
else
	fail "logrotate loses no line" "$n_rot acked; lost or repeated:$lost; files $(oneline "$(ls "$ALLOC"*)"); whois $v0:$p0: $w"
fi

ACKED=$E2E_TMP/acked
: >"$ACKED"
first=1
for round in 1 2 3; do
	want=$(( $(wc -l <"$ACKED") + 5 + RANDOM % 25 ))
	tb ap-prr "$PYTHON" "$PCP" register-many --prefix 2001:db8:ffee:: --first "$first" \
		--count 100 --out "$ACKED" &
	client=$!
	wait_for -t 20 acked_enough "$ACKED" "$want" || true
	kill -KILL "$(cat "$RUN/prr.pid")"
	wait "$client" 2>/dev/null || true	# it stops at the first unanswered request
	first=$((first + 100))
	prr_restart "$KILLCONF"
	list=$(prr_list)
	missing=""
	while read -r a4 v4 p size; do
		case $list in *"$a4 $v4 $p-$((p + size - 1)) dynamic"*) ;; *) missing="$missing $a4" ;; esac
	done <"$ACKED"
	unacked=$(awk -F'\t' '$3 == "allocate" && $4 ~ /^2001:db8:ffee:/ { print $4 }' "$ALLOC" |
		while read -r a; do grep -q "^$a " "$ACKED" "$ROT" || echo "$a"; done)
	if [ -n "$(tail -c 1 "$ACKED")" ]; then missing="$missing (torn acked file)"; fi
	if [ -z "$missing" ] && [ -z "$unacked" ] && have_prr &&
	    ! grep -q 'fatal\|ERROR' "$RUN/prr.log"; then
		pass "SIGKILL $round after $(wc -l <"$ACKED") acknowledged registrations: all present after the restart, the allocation log names no one else, prr started cleanly"
	else
		fail "SIGKILL $round" "missing:$missing; logged but not acknowledged: $(oneline "$unacked"); $(oneline "$(grep 'fatal\|ERROR' "$RUN/prr.log")")"
	fi
done
