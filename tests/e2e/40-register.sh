#!/bin/bash
# SPDX-License-Identifier: MIT
# SMAP registration with the PRR (PCP MAP + PORT_SET) on the testbed's
# --register variant (etc/testbed/register/):
#   - both SMAPs register and get distinct sets; LAN traffic leaves from them
#   - PRR restarted with SIGTERM, and killed with SIGKILL right after
#     acknowledging registrations: the same sets afterwards, traffic resumes
#   - an unauthorized source gets NOT_AUTHORIZED
#   - an ANNOUNCE with an epoch that went back: the SMAP registers again
#   - prrctl assign moves a SMAP live (ANNOUNCE); its next flows use the new set
#   - whois finds who held a port an hour ago (the PRR's clock set ahead)
#   - pool exhaustion: NO_RESOURCES, and the PRR logs it
#   - the boot script under busybox sh and dash brings a SMAP up from a WAN
#     without its address and route
# On the plain testbed (tests/run) it switches to the variant and back.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PRRCTL=${AP_BIN:-$ROOT/build/bin}/prrctl
PCP=$E2E_DIR/pcp-tool
REGCONF=etc/testbed/register/prr.conf
PRR6=2001:db8:100::1
prrctl() { "$PRRCTL" -s "$PRR_SOCK" "$@"; }
pcp() { local ns=$1; shift; tb "$ns" "$PYTHON" "$PCP" "$@"; }
bound() { [ "$(smap_status "$1" reg_bound 2>/dev/null)" = yes ]; }
above() { [ "$(smap_status "$1" "$2")" -gt "$3" ]; }	# above N KEY VALUE
is() { [ "$(smap_status "$1" "$2")" = "$3" ]; }		# is N KEY VALUE
set_of() { echo "$(smap_status "$1" ipv4) $(smap_status "$1" ports)"; }
# the PRR's list as "ipv6 ipv4 ports origin" lines, sorted
prr_list() {
	prrctl --json list | "$PYTHON" -c 'import json,sys
for b in sorted(json.load(sys.stdin), key=lambda b: b["ipv6"]):
    print(b["ipv6"], b["ipv4"], "%s-%s" % (b.get("port_min"), b.get("port_max")), b.get("origin"))'
}
# flow HOST SET: a UDP exchange with ap-inet from HOST, seen from an
# address and port of SET ("A MIN-MAX"); prints the port
flow() {
	local u src sport lo hi
	u=$(tb "ap-$1" "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 200 || true)
	src=$(jget "$u" src); sport=$(jget "$u" sport)
	lo=${2#* }; hi=${lo#*-}; lo=${lo%-*}
	[ "$(jget "$u" ok)" = True ] && [ "$src" = "${2%% *}" ] &&
		[ "$sport" -ge "$lo" ] && [ "$sport" -le "$hi" ] || { echo "$u"; return 1; }
	echo "$sport"
}
prr_restart() {	# prr_restart [CONF]: SIGTERM and start again
	"$TESTBED" restart prr "${1:-$REGCONF}" >/dev/null
}
prr_stop() {	# prr_stop SIGNAL: the PRR gone, not started again
	local pid
	pid=$(cat "$RUN/prr.pid")
	kill "-$1" "$pid"
	wait_for -t 5 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
}

have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }
SWITCHED=0
if [ -z "$(smap_status 1 registration 2>/dev/null || true)" ]; then
	on_exit register_restore
	SWITCHED=1
	register_variant
fi

# --- configuration: errors name file, line and key ---------------------------
BAD=$(tmpfile)
cat >"$BAD" <<'EOF'
wan = { interface = "wan0"; };
lan = { interface = "lan0"; prefix = "192.168.1.0/24"; };
prr = "2001:db8:100::1";
ipv4_address = "192.0.2.1";
registration = { lifetime = 10; sever = "2001:db8::1"; };
EOF
if out=$("$SMAP" -n -c "$BAD" 2>&1); then
	fail "bad registration config refused" "smap -n accepted it: $out"
else
	case $out in *"$BAD:5: registration.sever: unknown key"*"$BAD:5: registration.lifetime: 10 is out of range"*"$BAD:4: ipv4_address: comes from the registration"*)
		pass "smap -n refuses a bad registration group, naming file, line and key" ;;
	*)	fail "bad registration config messages" "$(oneline "$out")" ;;
	esac
fi

# --- both register, distinct sets, traffic ----------------------------------
if wait_for -t 15 bound 1 && wait_for -t 15 bound 2; then
	pass "both SMAPs registered (switched here: $SWITCHED)"
else
	fail "both SMAPs registered" "$(tail -3 "$RUN/smap1.log" "$RUN/smap2.log" | tr '\n' ' ')"
	exit 1
fi
S1=$(set_of 1); S2=$(set_of 2)
if "$PYTHON" - "$S1" "$S2" <<'EOF'
import sys
(a1, p1), (a2, p2) = (s.split() for s in sys.argv[1:3])
lo1, hi1 = map(int, p1.split("-")); lo2, hi2 = map(int, p2.split("-"))
sys.exit(0 if a1 != a2 or hi1 < lo2 or hi2 < lo1 else 1)
EOF
then
	pass "distinct sets: smap1 $S1, smap2 $S2"
else
	fail "distinct sets" "smap1 $S1, smap2 $S2"
fi
L0=$(prr_list)
case $L0 in *"2001:db8:1::2 ${S1%% *} ${S1#* } dynamic"*"2001:db8:2::2 ${S2%% *} ${S2#* } dynamic"*)
	pass "prrctl list has both as dynamic bindings with those sets" ;;
*)	fail "prrctl list has both registrations" "$L0" ;;
esac
[ "$(smap_status 1 reg_client)" = 2001:db8:1::2 ] && [ "$(smap_status 1 reg_server)" = $PRR6 ] &&
	pass "smap1 registers from its WAN address 2001:db8:1::2 with $PRR6" ||
	fail "registration from the WAN address" "client $(smap_status 1 reg_client), server $(smap_status 1 reg_server)"

# a registered set is a binding of the data path at once; over XDP, of
# the fast path's maps too (it forwards them, no NFQUEUE): 20 datagrams
# from the Internet side toward smap1's set are all encapsulated
stat() { prrctl stats | awk -v k="$1" '$1 == k { print $2 }'; }
enc0=$(stat in4_encapsulated); fp0=$(stat fastpath_packets)
lo1=${S1#* }; lo1=${lo1%%-*}
tb ap-inet "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))' "${S1%% *}" $((lo1 + 7))
enc_ge() { [ "$(stat in4_encapsulated)" -ge $((enc0 + 20)) ]; }
if wait_for -t 10 enc_ge &&
    { [ "${AP_PRR_FAST_PATH:-off}" = off ] || [ "$(stat fastpath_packets)" -ge $((fp0 + 20)) ]; }; then
	pass "20 datagrams toward smap1's registered set encapsulated (fast path: ${AP_PRR_FAST_PATH:-off})"
else
	fail "datagrams toward a registered set" "encapsulated $enc0 -> $(stat in4_encapsulated), fast path $fp0 -> $(stat fastpath_packets)"
fi
# a reload that cuts a new pool (an address more, first): the registered
# sets move to other slots of it, and the fast path to a new slot array
GROWN=$RUN/prr-grown.conf
cp "$REGCONF" "$GROWN"
prr_restart "$GROWN"
sed -i 's/^\taddresses = .*/\taddresses = [ "192.0.2.4", "192.0.2.1", "192.0.2.2" ];/' "$GROWN"
enc0=$(stat in4_encapsulated); fp0=$(stat fastpath_packets)
kill -HUP "$(cat "$RUN/prr.pid")"
if wait_for -t 10 grep -q "reloaded" "$RUN/prr.log"; then
	tb ap-inet "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))' "${S1%% *}" $((lo1 + 7))
fi
if wait_for -t 10 enc_ge &&
    { [ "${AP_PRR_FAST_PATH:-off}" = off ] || [ "$(stat fastpath_packets)" -ge $((fp0 + 20)) ]; }; then
	pass "after a reload with a new pool, smap1's set is still forwarded (fast path: ${AP_PRR_FAST_PATH:-off})"
else
	fail "a reload with a new pool" "encapsulated $enc0 -> $(stat in4_encapsulated), fast path $fp0 -> $(stat fastpath_packets); $(grep -E 'reload|fast path' "$RUN/prr.log" | tail -3 | oneline)"
fi
prr_restart
rm -f "$GROWN"
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --ready "$E2E_TMP/udp.ready"
T_USE=$(date +%s)
if P11=$(flow h11 "$S1") && P21=$(flow h21 "$S2"); then
	pass "h11 seen as ${S1%% *}:$P11, h21 as ${S2%% *}:$P21: ports of their sets"
else
	fail "LAN traffic from the registered sets" "h11 $P11, h21 ${P21:-}"
fi
fast_path_carries 1 ap-h11 "registered set"
fast_path_carries 2 ap-h21 "registered set"

# --- PRR restarts: SIGTERM, then SIGKILL right after acknowledged registrations
renew_same() {	# renew_same N SET: SIGHUP asks again; the answer gives SET
	local a
	a=$(smap_status "$1" reg_answers)
	kill -HUP "$(smap_pid "$1")"
	wait_for -t 10 above "$1" reg_answers "$a" &&
		[ "$(set_of "$1")" = "$2" ] && bound "$1"
}
prr_restart
L1=$(prr_list)
if [ "$L1" = "$L0" ] && renew_same 1 "$S1" && renew_same 2 "$S2" &&
    flow h11 "$S1" >/dev/null && flow h21 "$S2" >/dev/null; then
	pass "PRR restarted (SIGTERM): same bindings, SMAPs renew to the same sets, traffic resumes"
else
	fail "PRR restart (SIGTERM)" "list '$L1' vs '$L0'; smap1 $(set_of 1), smap2 $(set_of 2)"
fi

tb ap-smap1 ip -6 addr add 2001:db8:1::81/64 dev wan0 nodad
tb ap-smap1 ip -6 addr add 2001:db8:1::82/64 dev wan0 nodad
acked=""
for a in 2001:db8:1::81 2001:db8:1::82; do
	r=$(pcp ap-smap1 map --src "$a" || true)
	[ "$(jget "$r" result)" = SUCCESS ] && acked="$acked $a"
done
prr_stop KILL
prr_restart
L2=$(prr_list)
missing=""
for a in $acked; do case $L2 in *"$a "*) ;; *) missing="$missing $a" ;; esac; done
# which step failed, for a failure seen once under load (CI) and never alone
why=""
if [ "$acked" != " 2001:db8:1::81 2001:db8:1::82" ] || [ -n "$missing" ]; then
	why="acked '$acked', missing '$missing'"
elif [ "$(echo "$L2" | grep -v ::8)" != "$L0" ]; then
	why="the other bindings changed: '$(echo "$L2" | grep -v ::8 | tr '\n' ';')' vs '$(echo "$L0" | tr '\n' ';')'"
elif ! renew_same 1 "$S1"; then
	why="smap1 did not renew to $S1: $(set_of 1), reg_last_result $(smap_status 1 reg_last_result)"
elif ! f=$(flow h11 "$S1"); then
	why="no flow from h11 in $S1: $f; $(tail -3 "$RUN/prr.log" | oneline)"
elif ! f=$(flow h21 "$S2"); then
	why="no flow from h21 in $S2: $f; $(tail -3 "$RUN/prr.log" | oneline)"
fi
if [ -z "$why" ]; then
	pass "PRR killed (SIGKILL) just after acknowledging 2 registrations: all kept, same sets, traffic resumes"
else
	fail "PRR SIGKILL" "$why"
fi
for a in 2001:db8:1::81 2001:db8:1::82; do
	prrctl release "$a" >/dev/null || true
	tb ap-smap1 ip -6 addr del "$a/64" dev wan0 || true
done

# --- PRR away: the SMAP retransmits (RFC 6887 8.1.1) and keeps its set -------
prr_stop TERM
req=$(smap_status 1 reg_requests)
t0=$(date +%s%N)
kill -HUP "$(smap_pid 1)"	# asks at once
# the request and its retransmission after 3 s +- 10 % (the next one only 6 s later)
wait_ge -t 8 $((req + 2)) smap_status 1 reg_requests || true
took=$(( ($(date +%s%N) - t0) / 1000000 ))
r1=$(smap_status 1 reg_requests); st=$(smap_status 1 registration); away=$(set_of 1)
prr_restart
if [ $((r1 - req)) = 2 ] && [ "$took" -ge 2700 ] && [ "$st" = renewing ] && [ "$away" = "$S1" ] &&
    wait_for -t 12 is 1 registration bound && [ "$(set_of 1)" = "$S1" ] && flow h11 "$S1" >/dev/null; then
	pass "PRR away: smap1 sent its request and the retransmission ${took} ms later, stayed '$st' with $away; bound again after the PRR came back"
else
	fail "retransmission while the PRR is away" "requests +$((r1 - req)) in $took ms, state '$st', set '$away', now $(smap_status 1 registration) $(set_of 1)"
fi

# --- authorization ----------------------------------------------------------
r=$(pcp ap-core map --src 2001:db8:100::2 || true)
if [ "$(jget "$r" result)" = NOT_AUTHORIZED ] && [ "$(jget "$r" nonce_ok)" = True ] &&
    ! prr_list | grep -q 2001:db8:100::2; then
	pass "a source outside the authorized prefixes (2001:db8:100::2) gets NOT_AUTHORIZED, no binding"
else
	fail "unauthorized source refused" "$r"
fi

# --- epoch: an ANNOUNCE whose epoch went back --------------------------------
lost=$(smap_status 1 reg_epoch_lost); req=$(smap_status 1 reg_requests)
pcp ap-prr announce --src $PRR6 --dst 2001:db8:1::2 --epoch 0
if wait_for -t 10 above 1 reg_epoch_lost "$lost" &&
    wait_for -t 10 bound 1 && [ "$(smap_status 1 reg_requests)" -gt "$req" ] &&
    [ "$(set_of 1)" = "$S1" ]; then
	pass "ANNOUNCE with epoch 0: smap1 saw the PRR's lost state (reg_epoch_lost +1), asked again, kept $S1"
else
	fail "epoch check on ANNOUNCE" "epoch_lost $(smap_status 1 reg_epoch_lost) (was $lost), requests $(smap_status 1 reg_requests) (was $req), set $(set_of 1)"
fi

# --- an hour later (the PRR's clock ahead): prrctl assign moves smap1 live ---
PRR_FAKE_TIME_OFFSET=3600 prr_restart
# a set nobody holds (slots are chosen at random: smap2 may hold any one)
for lo in 20000 21000 22000; do
	prrctl show "192.0.2.2:$lo" >/dev/null 2>&1 || break
done
NEW="192.0.2.2 $lo-$((lo + 999))"
ann=$(smap_status 1 reg_announces)
out=$(prrctl assign 2001:db8:1::2 192.0.2.2 "$lo-$((lo + 999))" 2>&1 || true)
if wait_for -t 10 is 1 ports "$lo-$((lo + 999))" &&
    [ "$(set_of 1)" = "$NEW" ] && [ "$(smap_status 1 reg_announces)" -gt "$ann" ]; then
	pass "prrctl assign: smap1 told by ANNOUNCE, now $(set_of 1)"
else
	fail "prrctl assign moves smap1" "assign said '$out'; smap1 $(set_of 1), announces $(smap_status 1 reg_announces) (was $ann)"
fi
if P=$(flow h11 "$NEW") && flow h21 "$S2" >/dev/null; then
	pass "h11's next flow leaves from ${NEW%% *}:$P; h21 unchanged"
else
	fail "h11 uses the new set" "$P"
fi
fast_path_carries 1 ap-h11 "after prrctl assign (new address, new TUN)"
w=$(prrctl --json whois "${S1%% *}:$P11" --at "$T_USE" || true)
w2=$(prrctl --json whois "${S2%% *}:$P21" --at "$T_USE" || true)
wnow=$(prrctl whois "${S1%% *}:$P11" 2>&1 || true)
case "$w|$w2|$wnow" in *2001:db8:1::2*"|"*2001:db8:2::2*"|"*nobody*)
	pass "whois ${S1%% *}:$P11 an hour ago: smap1; ${S2%% *}:$P21: smap2; now: nobody" ;;
*)	fail "whois an hour ago" "'$w' '$w2' now '$wnow'" ;;
esac
prr_restart	# the clock back

# --- pool exhaustion ---------------------------------------------------------
TINY=$(tmpfile)
sed -e 's/^\taddresses = .*/\taddresses = [ "192.0.2.3" ];/' -e 's/^\tfirst_port = .*/\tfirst_port = 1024;/' \
    -e 's/^\tport_set_size = .*/\tport_set_size = 64512;/' \
    -e 's/^\tsets_per_subscriber = .*/\tsets_per_subscriber = 0;/' "$REGCONF" >"$TINY"
prr_restart "$TINY"
tb ap-smap1 ip -6 addr add 2001:db8:1::91/64 dev wan0 nodad
tb ap-smap1 ip -6 addr add 2001:db8:1::92/64 dev wan0 nodad
r1=$(pcp ap-smap1 map --src 2001:db8:1::91 || true)
r2=$(pcp ap-smap1 map --src 2001:db8:1::92 || true)
if [ "$(jget "$r1" result)" = SUCCESS ] && [ "$(jget "$r1" ipv4)" = 192.0.2.3 ] &&
    [ "$(jget "$r2" result)" = NO_RESOURCES ] && grep -q "pool exhausted: no port set for 2001:db8:1::92" "$RUN/prr.log"; then
	pass "a one-set pool: the first registrant gets 192.0.2.3, the second NO_RESOURCES (logged)"
else
	fail "pool exhaustion" "first $r1, second $r2"
fi
prrctl release 2001:db8:1::91 >/dev/null || true
for a in 91 92; do tb ap-smap1 ip -6 addr del "2001:db8:1::$a/64" dev wan0 || true; done
prr_restart

# --- the boot script, under busybox sh and dash ------------------------------
for n in 1 2; do
	case $n in 1) shell="busybox sh" ;; *) shell=dash ;; esac
	smap_stop "$n"
	tb "ap-smap$n" ip -6 route del default via "2001:db8:$n::1"
	tb "ap-smap$n" ip -6 addr del "2001:db8:$n::2/64" dev wan0
	out=$E2E_TMP/boot$n.out
	# shellcheck disable=SC2086 # $shell is a command and its argument
	(cd "$ROOT" && "$TESTBED" exec "ap-smap$n" $shell scripts/smap-boot \
		-c "$("$TESTBED" smap-conf etc/testbed/register/smap$n.conf)" -b "$SMAP" -p "$RUN/smap$n.pid" \
		-l "$RUN/smap$n.log" -t 30 >"$out" 2>&1 3>&- 4>&- 5>&-; echo "exit $?" >>"$out") &
	# (no inherited descriptors, such as tests/run's lock, for the smap it leaves running)
	wait_for -t 10 grep -q 'waiting for a global IPv6 address' "$out" || true
	early=$(cat "$out")
	tb "ap-smap$n" ip -6 addr add "2001:db8:$n::2/64" dev wan0 nodad
	tb "ap-smap$n" ip -6 route add default via "2001:db8:$n::1"
	wait_for -t 40 grep -q '^exit ' "$out" || true
	h=h11; [ "$n" = 1 ] || h=h21
	case $early in *"waiting for a global IPv6 address"*) waited=1 ;; *) waited=0 ;; esac
	if grep -q '^exit 0' "$out" && grep -q '^smap-boot: registered: ' "$out" &&
	    [ "$waited" = 1 ] && bound "$n" && wait_for -t 10 tb "ap-$h" ping -c 1 -W 1 "$INET"; then
		pass "boot script under $shell: waited for the WAN, started smap$n, registered ($(set_of "$n")), $h reaches $INET"
	else
		fail "boot script under $shell" "$(tr '\n' ' ' <"$out")"
	fi
done

# on a testbed that was --register already: smap1 back to a registered set
[ "$SWITCHED" = 1 ] || prrctl release 2001:db8:1::2 >/dev/null || true
