#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMAP's PCP / NAT-PMP server (issue 5) with real clients: natpmpc on
# ap-h11 maps a port and a TCP server there is reached from ap-inet at
# 192.0.2.1:EXTERNAL through the PRR and smap1; ports outside the set,
# two hosts on one port, delete and expiry removing the forward, held
# ports kept out of the SNAT pool, smap restarted keeping its mappings
# (state file, epoch, ANNOUNCE), every result code the issue lists from
# crafted requests, requests from outside the LAN ignored, THIRD_PARTY
# per config, and tshark decoding the captured PCP cleanly.
# smap1 is restarted with an empty state at the end, for the tests after.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PCPC=$E2E_DIR/pcp-client
GW=192.168.1.1
CONF=$ROOT/etc/testbed/smap1.conf
STATE=$RUN/smap1.mappings
LO=10000 HI=10999

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

pcp_cleanup() {
	smap_stop 1 || true
	rm -f "$STATE"
	smap_start 1 "$CONF" || true
}
on_exit pcp_cleanup

jget() { "$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }
pcp() { local h=$1; shift; tb "ap-$h" "$PCPC" --server $GW "$@"; }
# pcp_result NAME WANT HOST ARGS...: one request, its result code must be WANT
pcp_result() {
	local name=$1 want=$2 h=$3 out; shift 3
	out=$(pcp "$h" "$@")
	if [ "$(jget "$out" result)" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "wanted result $want, got $out"
	fi
}
natpmp_port() {	# natpmp_port HOST PUBLIC PRIVATE PROTO LIFETIME: the mapped port
	tb "ap-$1" natpmpc -g $GW -a "$2" "$3" "$4" "$5" 2>&1 |
		sed -n 's/^Mapped public port \([0-9]*\) protocol.*/\1/p'
}
in_set() { [ -n "$1" ] && [ "$1" -ge $LO ] && [ "$1" -le $HI ]; }
nft_dnat() { tb ap-smap1 nft list map ip smap "pm_dnat_$1"; }
has_forward() { nft_dnat "$1" | grep -q "$2 : $3"; }
reach() {	# reach PORT: what the TCP server says at 192.0.2.1:PORT from ap-inet
	tb ap-inet "$PYTHON" -c '
import socket, sys
s = socket.create_connection(("192.0.2.1", int(sys.argv[1])), timeout=2)
print(s.recv(100).decode().strip())' "$1" 2>/dev/null
}
listed() { smapctl 1 mappings --json | "$PYTHON" -c '
import json, sys
m = [x for x in json.load(sys.stdin) if x["external_port"] == int(sys.argv[1]) and x["proto"] == sys.argv[2]]
sys.exit(0 if m else 1)' "$1" "$2"; }

# --- TCP servers on ap-h11 and ap-h12, ports 8080 (NAT-PMP) and 8088 (PCP) ----
for h in h11 h12; do
	bg "ap-$h" "$PYTHON" -c '
import select, socket, sys
ls = []
for port in (8080, 8088):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); ls.append(s)
open(sys.argv[2], "w").close()
while True:
    for s in select.select(ls, [], [])[0]:
        c, _ = s.accept(); c.sendall(("hello-" + sys.argv[1] + "\n").encode()); c.close()' \
		"$h" "$E2E_TMP/$h.ready"
	wait_for -t 10 test -e "$E2E_TMP/$h.ready"
done

# --- what tshark sees: well-formed PCP and NAT-PMP only -------------------------
CAP=$E2E_TMP/pcp.pcap
capture ap-smap1 lan0 "$CAP" udp port 5351 or udp port 5350 || true
CAP_PID=$BG_PID

# --- natpmpc maps a port; ap-inet reaches the host through it -------------------
ext=$(natpmp_port h11 10123 8080 tcp 600)
if [ "$ext" = 10123 ]; then pass "natpmpc: 10123 asked, 10123 mapped"
else fail "natpmpc: 10123 asked, 10123 mapped" "got '$ext'"; fi
check "forward 192.0.2.1:10123 -> 192.168.1.10:8080 in nft" has_forward tcp 10123 "192.168.1.10 . 8080"
if [ "$(reach 10123)" = hello-h11 ]; then pass "ap-inet reaches ap-h11:8080 at 192.0.2.1:10123"
else fail "ap-inet reaches ap-h11:8080 at 192.0.2.1:10123" "no answer"; fi
check "smap mappings lists tcp 10123 (natpmp)" listed 10123 tcp
check "held port 10123 out of the SNAT pool" sh -c \
	"'$TESTBED' exec ap-smap1 nft list chain ip smap srcnat | grep -q '192.0.2.1 . 10000-10122, .* 192.0.2.1 . 10124-10999'"

# a port outside 10000-10999 gets one inside
ext2=$(natpmp_port h11 80 8081 tcp 600)
if in_set "$ext2"; then pass "natpmpc: port 80 asked, $ext2 in the set given"
else fail "natpmpc: port 80 asked, one in the set given" "got '$ext2'"; fi
pcp_result "PCP: port 80 with PREFER_FAILURE: CANNOT_PROVIDE_EXTERNAL" 11 h11 \
	map --proto 6 --int-port 8082 --ext-port 80 --prefer-failure

# two hosts asking for the same port get different ones
a=$(pcp h11 map --proto 6 --int-port 8088 --ext-port 10600 --desc "h11 web" --nonce 111111111111111111111111)
b=$(pcp h12 map --proto 6 --int-port 8088 --ext-port 10600 --desc "h12 web" --nonce 222222222222222222222222)
pa=$(jget "$a" ext_port) pb=$(jget "$b" ext_port)
if [ "$pa" = 10600 ] && in_set "$pb" && [ "$pb" != "$pa" ]; then
	pass "two hosts ask for 10600: $pa and $pb"
else
	fail "two hosts ask for 10600: different ports" "$a / $b"
fi
if [ "$(reach "$pb")" = hello-h12 ] && [ "$(reach "$pa")" = hello-h11 ]; then
	pass "both reached from ap-inet at their own ports"
else
	fail "both reached from ap-inet at their own ports" "$pa / $pb"
fi
if smapctl 1 mappings | grep -q "h12 web"; then pass "DESCRIPTION stored and shown"
else fail "DESCRIPTION stored and shown" "$(smapctl 1 mappings | oneline)"; fi
# renewal keeps the port
r=$(pcp h12 map --proto 6 --int-port 8088 --ext-port 10999 --nonce 222222222222222222222222)
if [ "$(jget "$r" ext_port)" = "$pb" ]; then pass "PCP renewal keeps port $pb"
else fail "PCP renewal keeps port $pb" "$r"; fi
pcp_result "PCP: renewal with another nonce: NOT_AUTHORIZED" 2 h12 \
	map --proto 6 --int-port 8088 --nonce 333333333333333333333333
pcp_result "PCP: the NAT-PMP mapping of 8080 is not PCP's to renew: NOT_AUTHORIZED" 2 h11 \
	map --proto 6 --int-port 8080
# UDP and PEER
u=$(pcp h11 map --proto 17 --int-port 5000 --lifetime 300)
if in_set "$(jget "$u" ext_port)" && has_forward udp "$(jget "$u" ext_port)" "192.168.1.10 . 5000"; then
	pass "PCP MAP UDP: forward installed"
else fail "PCP MAP UDP: forward installed" "$u"; fi
pr=$(pcp h11 peer --proto 17 --int-port 5001 --peer 198.51.100.10:53)
if [ "$(jget "$pr" result)" = 0 ] && in_set "$(jget "$pr" ext_port)"; then pass "PCP PEER answered SUCCESS"
else fail "PCP PEER answered SUCCESS" "$pr"; fi
al=$(pcp h11 map --proto 0 --int-port 0 --lifetime 300)
pal=$(jget "$al" ext_port)
if in_set "$pal" && has_forward tcp "$pal" "192.168.1.10 . $pal" && has_forward udp "$pal" "192.168.1.10 . $pal"; then
	pass "PCP MAP all protocols: TCP and UDP forwards"
else fail "PCP MAP all protocols: TCP and UDP forwards" "$al"; fi
an=$(pcp h11 announce)
if [ "$(jget "$an" result)" = 0 ]; then pass "PCP ANNOUNCE request answered"
else fail "PCP ANNOUNCE request answered" "$an"; fi
EPOCH1=$(jget "$an" epoch)

# THIRD_PARTY: 192.168.1.11 may (config), 192.168.1.10 may not
pcp_result "PCP: THIRD_PARTY from a host not allowed: NOT_AUTHORIZED" 2 h11 \
	map --proto 6 --int-port 7000 --third-party 192.168.1.11
pcp_result "PCP: THIRD_PARTY from the allowed host: SUCCESS" 0 h12 \
	map --proto 6 --int-port 7000 --third-party 192.168.1.10
pcp_result "PCP: ADDRESS_MISMATCH" 12 h11 map --proto 6 --int-port 7001 --client 192.168.1.99
pcp_result "PCP: UNSUPP_PROTOCOL (ICMP)" 9 h11 map --proto 1 --int-port 0
pcp_result "PCP: two FILTERs: EXCESSIVE_REMOTE_PEERS" 13 h11 \
	map --proto 6 --int-port 7002 --filter 198.51.100.10:80 --filter 198.51.100.11:80

# per-host quota (16): h12 fills it up
q=""
for i in $(seq 1 17); do
	r=$(pcp h12 map --proto 17 --int-port $((6000 + i)) --lifetime 300)
	q=$(jget "$r" result)
	[ "$q" = 0 ] || break
done
if [ "$q" = 10 ]; then pass "PCP: per-host quota: USER_EX_QUOTA"
else fail "PCP: per-host quota: USER_EX_QUOTA" "last result $q: $r"; fi

kill -INT "$CAP_PID" 2>/dev/null || true
wait_for -t 5 sh -c "! kill -0 $CAP_PID 2>/dev/null" || true
n=$(tshark -n -r "$CAP" 2>/dev/null | wc -l)
bad=$(tshark -n -r "$CAP" -V 2>&1 | grep -c -E '\[Malformed Packet|Expert Info \((Warning|Error)' || true)
decoded=$(tshark -n -r "$CAP" -T fields -e _ws.col.Protocol 2>/dev/null | grep -c -E '^(PCP v2|NAT-PMP)$' || true)
if [ "$n" -ge 40 ] && [ "$bad" = 0 ] && [ "$decoded" = "$n" ]; then
	pass "tshark decodes all $n captured PCP / NAT-PMP packets, no malformed or expert warning"
else
	fail "tshark decodes the captured PCP cleanly" "$n packets, $decoded decoded, $bad warnings"
fi

# --- malformed requests: the codec's results on the real server ------------------
pcp_result "PCP: version 1: UNSUPP_VERSION" 1 h11 map --version 1 --int-port 7003
pcp_result "PCP: not a multiple of 4: MALFORMED_REQUEST" 3 h11 map --int-port 7004 --pad 2
pcp_result "PCP: over 1100 bytes: MALFORMED_REQUEST" 3 h11 map --int-port 7005 --pad 1044
pcp_result "PCP: unknown mandatory option: UNSUPP_OPTION" 5 h11 map --int-port 7006 --extra 63000000
pcp_result "PCP: PREFER_FAILURE twice: MALFORMED_OPTION" 6 h11 map --int-port 7007 \
	--prefer-failure --extra 02000000
pcp_result "PCP: unknown opcode: UNSUPP_OPCODE" 4 h11 map --int-port 7008 --opcode 9
# a request from outside the LAN prefix: no answer at all
tb ap-h11 ip addr add 10.99.0.10/32 dev eth0
before=$(smap_stat 1 pcp_outside_lan)
o=$(pcp h11 --source 10.99.0.10 --timeout 1 map --proto 6 --int-port 7009 --client 10.99.0.10)
after=$(smap_stat 1 pcp_outside_lan)
tb ap-h11 ip addr del 10.99.0.10/32 dev eth0
if [ "$(jget "$o" timeout)" = True ] && [ "$after" -gt "$before" ]; then
	pass "a request from outside the LAN is ignored (counted, not answered)"
else
	fail "a request from outside the LAN is ignored" "$o, pcp_outside_lan $before -> $after"
fi

# --- delete and expiry remove the forward ----------------------------------------
natpmp_port h11 10123 8080 tcp 0 >/dev/null
if ! has_forward tcp 10123 "192.168.1.10 . 8080" && ! listed 10123 tcp && [ -z "$(reach 10123)" ]; then
	pass "natpmpc delete: forward gone, 192.0.2.1:10123 no longer reaches ap-h11"
else
	fail "natpmpc delete removes the forward" "$(nft_dnat tcp | oneline)"
fi
e=$(pcp h11 map --proto 6 --int-port 8090 --lifetime 2)
pe=$(jget "$e" ext_port)
if [ "$(jget "$e" lifetime)" = 2 ] && has_forward tcp "$pe" "192.168.1.10 . 8090"; then
	if wait_for -t 8 sh -c "! '$TESTBED' exec ap-smap1 nft list map ip smap pm_dnat_tcp | grep -q '$pe : '" &&
	    ! listed "$pe" tcp; then
		pass "a 2 s mapping expires: forward and listing gone"
	else
		fail "a 2 s mapping expires" "still there: $(nft_dnat tcp | oneline)"
	fi
else
	fail "a 2 s mapping expires" "not made: $e"
fi

# --- restart: the mappings, forwards and epoch survive -----------------------------
grep -q " $pa 192.168.1.10 8088 " "$STATE" && pass "state file holds the mappings" ||
	fail "state file holds the mappings" "$(oneline "$(cat "$STATE")")"
ACAP=$E2E_TMP/announce.pcap
capture ap-h11 eth0 "$ACAP" udp port 5350 || true
ACAP_PID=$BG_PID
smap_stop 1
smap_start 1 "$CONF"
wait_for -t 5 sh -c "'$SMAP' mappings -s '$RUN/smap1.sock' | grep -q 'h11 web'" || true
if listed "$pa" tcp && has_forward tcp "$pa" "192.168.1.10 . 8088" && [ "$(reach "$pa")" = hello-h11 ]; then
	pass "smap restarted: mapping $pa restored, ap-inet still reaches ap-h11"
else
	fail "smap restarted: mapping restored and working" "$(smapctl 1 mappings | oneline)"
fi
an=$(pcp h11 announce)
EPOCH2=$(jget "$an" epoch)
if [ "$EPOCH2" -ge "$EPOCH1" ]; then pass "PCP epoch kept across the restart ($EPOCH1 -> $EPOCH2)"
else fail "PCP epoch kept across the restart" "$EPOCH1 -> $EPOCH2"; fi
announced() { tshark -n -r "$ACAP" -T fields -e ip.dst 2>/dev/null | grep -q '^224.0.0.1$'; }
wait_for -t 5 announced || true
kill -INT "$ACAP_PID" 2>/dev/null || true
wait_for -t 5 sh -c "! kill -0 $ACAP_PID 2>/dev/null" || true
ann=$(tshark -n -r "$ACAP" -d udp.port==5350,portcontrol -T fields -e ip.dst -e _ws.col.Info 2>/dev/null | grep -c '^224.0.0.1' || true)
if [ "$ann" -ge 1 ]; then pass "unsolicited ANNOUNCE to 224.0.0.1:5350 after the restart"
else fail "unsolicited ANNOUNCE to 224.0.0.1:5350 after the restart" "$(tshark -n -r "$ACAP" 2>&1 | oneline)"; fi
