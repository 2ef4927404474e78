#!/bin/bash
# SPDX-License-Identifier: MIT
# Several PRRs on one PostgreSQL store (issue 16), on the testbed's
# --scale-out variant (scripts/testbed-scaleout.sh): ap-prr and ap-prr2
# on one anycast softwire address, ECMP to both, a private PostgreSQL.
#   - the SMAPs register through either PRR; both PRRs list the same table
#   - 1,000 registrations at once from two generators (ECMP spreads them
#     over both PRRs): every one answered, no set given twice
#   - prrctl assign on one PRR shows on the other within 100 ms
#     (median of 20; p99 under 250 ms on a loaded machine) and the
#     other forwards it
#   - overlapping operator assignments (20 rounds, ranges and PSID sets)
#     through both PRRs at once: never both taken, the loser's prrctl says
#     why, one table on both and one row in the store; an assign over a
#     set registered through another PRR, not yet seen here, is refused
#   - a change another PRR committed over an entry both PRRs hold (one
#     the store does not have) replaces it on both (newest wins)
#   - a version-2 store is migrated to version 3 (overlapping rows
#     refused by name), and then a put that overlaps another set loses
#   - whois --at answers the same on both
#   - PostgreSQL stopped: traffic flows, renewals of known subscribers are
#     answered, new ones are not; a PRR does not start (it refuses); after
#     PostgreSQL returns, the waiting registrations are answered
#   - either PRR killed (and its routes withdrawn, as a routing protocol
#     would): every SMAP's traffic flows through the other
# On the plain testbed (tests/run) it brings the variant up, and the
# plain testbed back at the end.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PRRCTL=${AP_BIN:-$ROOT/build/bin}/prrctl
PRR=${AP_BIN:-$ROOT/build/bin}/prr
REGLOAD=$ROOT/build/obj/tests/bench/regload
PG_SCHEMA=$ROOT/build/obj/tests/bench/pg_schema
PROPAGATION=$ROOT/tests/bench/propagation
PCP=$E2E_DIR/pcp-tool
PG=$ROOT/scripts/pg-private
SOCK1=$RUN/prr.sock
SOCK2=$RUN/prr2.sock
prrctl1() { "$PRRCTL" -s "$SOCK1" "$@"; }
prrctl2() { "$PRRCTL" -s "$SOCK2" "$@"; }
psql() { "$PG" psql "$RUN/pg" "$@"; }
# a PRR's table, sorted
table() { "$PRRCTL" -s "$1" list | tail -n +2 | sort; }
same_tables() { [ "$(table "$SOCK1")" = "$(table "$SOCK2")" ]; }
count_of() { "$PRRCTL" -s "$1" list | tail -n +2 | wc -l; }
both_hold() { [ "$(count_of "$SOCK1")" = "$1" ] && [ "$(count_of "$SOCK2")" = "$1" ]; }
tbt() { local t=$1; shift; timeout "$t" "$TESTBED" exec "$@"; }	# tbt SECS NS CMD...
bound() { [ "$(smap_status "$1" reg_bound 2>/dev/null)" = yes ]; }
pings() {	# pings HOST...: each reaches ap-inet through the softwire
	local h
	for h in "$@"; do tb "ap-$h" ping -c 1 -W 2 198.51.100.10 >/dev/null || return 1; done
}
stat_of() { "$PRRCTL" -s "$1" stats | awk -v k="$2" '$1 == k { print $2 }'; }

[ -x "$REGLOAD" ] && [ -x "$PG_SCHEMA" ] || { fail "regload, pg_schema" "build them first (make benches)"; exit 1; }
"$PG" stop /nonexistent 2>&1 | grep -q "no PostgreSQL" && { skip "scale-out" "no PostgreSQL server"; exit 0; }

restore() {
	[ -n "${BARRIER:-}" ] && kill "$BARRIER" 2>/dev/null	# the barrier below, if a check failed in it
	"$TESTBED" up >/dev/null
}
on_exit restore
"$TESTBED" up --scale-out >/dev/null
check "both PRRs up" test -S "$SOCK1" -a -S "$SOCK2"

# --- a version-2 store migrated to version 3 (prr --init-store) -------------
# in a database of its own: version 2 as an older prr left it, with the
# overlapping pair it let in; the migration refuses it, naming both, and
# takes it once one is gone; then the rows keep their sets and overlap loses
psql -c "CREATE DATABASE ap_v2" >/dev/null
psql2() { "$PG" psql "$RUN/pg" -d ap_v2 "$@"; }
"$PG_SCHEMA" 2 | psql2 -v ON_ERROR_STOP=1 >/dev/null
put2() { psql2 -c "SELECT ap_apply('an-older-prr', E'+\\t$1\\t$2\\t$3\\t$4\\t$5\\t0\\t0$6\\n')"; }
put2 2001:db8:1::b1 192.0.2.10 1000-1999 operator 0 "" >/dev/null
put2 2001:db8:8000:7fe::1 192.0.2.1 "psid 5/8 offset 4" dynamic $(($(date +%s) + 600)) '\t00112233445566778899aabb' >/dev/null
put2 2001:db8:1::b2 192.0.2.10 1500-2499 operator 0 "" >/dev/null
check "version 2 let in 1500-2499 over 1000-1999" test "$(psql2 -c "SELECT count(*) FROM ap_bindings WHERE ipv4 = '192.0.2.10'")" = 2
CONF2=$(tmpfile)
sed 's/dbname=ap /dbname=ap_v2 /' "$ROOT/etc/testbed/scaleout/prr.conf" >"$CONF2"
rc=0; mig=$("$PRR" -c "$CONF2" --init-store 2>&1) || rc=$?
refused_both() { [ "$rc" != 0 ] && grep -q '2001:db8:1::b1 1000-1999 and 2001:db8:1::b2 1500-2499' <<<"$mig"; }
check "the migration refuses overlapping rows (rc $rc), naming both: $(oneline "$(grep overlap <<<"$mig" | tail -1)")" refused_both
check "still version 2" test "$(psql2 -c "SELECT version FROM ap_schema")" = 2
psql2 -c "SELECT ap_apply('an-older-prr', E'-\\t2001:db8:1::b2\\n')" >/dev/null
check "prr --init-store migrates version 2 to 3" "$PRR" -c "$CONF2" --init-store
check "version 3" test "$(psql2 -c "SELECT version FROM ap_schema")" = 3
check "the rows kept" test "$(psql2 -c "SELECT string_agg(host(ipv6) || ' ' || ports, ', ' ORDER BY ipv6) FROM ap_bindings")" = \
	"2001:db8:1::b1 1000-1999, 2001:db8:8000:7fe::1 psid 5/8 offset 4"
# psid 5/8 offset 4: in each 4096-port block but the first, the 16 ports from 5 * 16
want=$(for b in $(seq 1 15); do printf '[%d,%d),' $((b * 4096 + 80)) $((b * 4096 + 96)); done)
check "a PSID set's ports as PostgreSQL reads them" test "$(psql2 -c "SELECT ap_ports(ports) FROM ap_bindings WHERE ports LIKE 'psid%'")" = "{${want%,}}"
check "a put overlapping another SMAP's set loses" \
	test "$(put2 2001:db8:1::b3 192.0.2.10 1999-2100 operator 0 "")" = 2001:db8:1::b3
check "a put overlapping a PSID set's block loses" \
	test "$(put2 2001:db8:1::b3 192.0.2.1 8270-8272 operator 0 "")" = 2001:db8:1::b3
check "a put beside them is taken" test -z "$(put2 2001:db8:1::b3 192.0.2.10 2000-2100 operator 0 "")"
psql -c "DROP DATABASE ap_v2" >/dev/null

# --- the SMAPs register through either PRR ----------------------------------
check "smap1 registered" wait_for -t 20 bound 1
check "smap2 registered" wait_for -t 20 bound 2
s1="$(smap_status 1 ipv4) $(smap_status 1 ports)"
s2="$(smap_status 2 ipv4) $(smap_status 2 ports)"
check "the SMAPs' sets differ ($s1 / $s2)" test "$s1" != "$s2"
check "both PRRs list the same table" wait_for -t 2 same_tables
check "traffic flows from both SMAPs" wait_for -t 10 pings h11 h21

# --- 1,000 registrations at once, spread over both PRRs ---------------------
A1=$(tmpfile); A2=$(tmpfile)
req1=$(stat_of "$SOCK1" pcp_requests); req2=$(stat_of "$SOCK2" pcp_requests)
REGLOAD_ANSWERS=$A1 tbt 120 ap-core "$REGLOAD" 2001:db8:100::1 5351 500 64 0 >/dev/null &
g1=$!
REGLOAD_ANSWERS=$A2 tbt 120 ap-core "$REGLOAD" 2001:db8:100::1 5351 500 64 500 >/dev/null &
g2=$!
wait "$g1" && wait "$g2" && pass "1000 registrations answered" || fail "1000 registrations answered" "regload did not finish"
check "1000 SUCCESS answers" test "$(cat "$A1" "$A2" | wc -l)" = 1000
dups=$(cat "$A1" "$A2" | awk '{ print $2, $3 }' | sort | uniq -d)
check "no set answered twice" test -z "$dups"
# ipv4 and the four words of "psid N/8 offset 4"
dups=$(prrctl2 list | awk 'NR > 1 { print $2, $3, $4, $5, $6 }' | sort | uniq -d)
check "no set twice in the table" test -z "$dups"
d1=$(( $(stat_of "$SOCK1" pcp_requests) - req1 )); d2=$(( $(stat_of "$SOCK2" pcp_requests) - req2 ))
check "both PRRs answered registrations ($d1 and $d2 requests)" test "$d1" -gt 0 -a "$d2" -gt 0
check "both PRRs hold all 1002" wait_for -t 5 both_hold 1002
check "the same table on both" test "$(table "$SOCK1")" = "$(table "$SOCK2")"
check "the store holds each set once" test "$(psql -c 'SELECT count(*), count(DISTINCT (ipv4, ports)) FROM ap_bindings')" = "1002|1002"

# --- an operator's change on one PRR, on the other at once ------------------
read -r n med p99 max < <("$PROPAGATION" "$SOCK1" "$SOCK2" 20 192.0.2.12 2001:db8:1::f:) || true
echo "propagation: $n changes, median $med ms, p99 $p99 ms, max $max ms"
check "assign on prr, on prr2: median $med ms < 100 ms" awk -v m="$med" 'BEGIN { exit !(m < 100) }'
check "assign on prr, on prr2: p99 $p99 ms < 250 ms" awk -v m="$p99" 'BEGIN { exit !(m < 250) }'
# and prr2 forwards it: IPv4 to 192.0.2.9:20000, sent to prr2 only, goes out to the SMAP
check "assign on prr" prrctl1 assign 2001:db8:1::99 192.0.2.9 20000-20999
CAP=$(tmpfile)
capture ap-core prr1 "$CAP" ip6 dst 2001:db8:1::99
tb ap-inet ip route add 192.0.2.9/32 via 198.51.101.1 dev eth1
# send one datagram; true once the capture holds one
sent_and_seen() {
	tb ap-inet bash -c 'echo x >/dev/udp/192.0.2.9/20000' 2>/dev/null || true
	[ "$(pcap_count "$CAP")" -gt 0 ]
}
check "prr2 forwards the assigned set" wait_for -t 2 sent_and_seen
tb ap-inet ip route del 192.0.2.9/32
prrctl1 release 2001:db8:1::99 >/dev/null

# --- overlapping assignments through both PRRs at once (one wins) ------------
# A barrier: a psql session (fed through a FIFO) holds ap_apply's advisory
# lock while both PRRs take their assign (each checks its own table, where
# the other's is not yet) and wait for the lock at their commit; then it
# commits, and the two commits run one after the other. Odd rounds have
# it, even rounds just start both.
LOCK=7316001
waiting() { [ "$(psql -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $LOCK AND NOT granted")" = "$1" ]; }
held() { [ "$(psql -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $LOCK AND granted")" = 1 ]; }
FIFO=$E2E_TMP/barrier
mkfifo "$FIFO"
BARRIER=""
# barrier_begin SQL: a transaction that runs SQL (which takes the lock) and stays open
barrier_begin() {
	psql <"$FIFO" >/dev/null 2>&1 &
	BARRIER=$!
	exec 7>"$FIFO"
	echo "BEGIN; $1;" >&7
	wait_for -t 10 held || echo "the barrier's lock was not taken"
}
barrier_end() { echo "COMMIT;" >&7; exec 7>&-; wait "$BARRIER" 2>/dev/null || true; BARRIER=""; }
# run_ctl OUT SOCK CMD...: "rc output" in OUT
run_ctl() { local o=$1 out rc=0; shift; out=$("$PRRCTL" -s "$@" 2>&1) || rc=$?; echo "$rc $(oneline "$out")" >"$o"; }
ok_of() { [ "$(cut -d' ' -f1 "$1")" = 0 ]; }
O1=$(tmpfile); O2=$(tmpfile)
both=0 none=0 silent=0 split=0 rows_bad=0
for r in $(seq 1 20); do
	base=$((1000 + r * 2500))
	# a range against a range, or (every third round) a PSID set against a range over one of its blocks
	pa="$base-$((base + 999))"; pb="$((base + 500))-$((base + 1499))"
	if [ $((r % 3)) = 0 ]; then pa="psid=$r/8,offset=4"; pb="$((4096 + r * 16 + 8))-$((4096 + r * 16 + 100))"; fi
	# which PRR gets which alternates
	if [ $((r % 2)) = 1 ]; then sa=$SOCK1 sb=$SOCK2; else sa=$SOCK2 sb=$SOCK1; fi
	[ $((r % 2)) = 1 ] && barrier_begin "SELECT pg_advisory_xact_lock($LOCK)"
	run_ctl "$O1" "$sa" assign 2001:db8:1::a1 192.0.2.9 "$pa" &
	a=$!
	run_ctl "$O2" "$sb" assign 2001:db8:1::a2 192.0.2.9 "$pb" &
	b=$!
	if [ -n "$BARRIER" ]; then
		wait_for -t 10 waiting 2 || echo "round $r: both commits did not wait for the barrier"
		barrier_end
	fi
	wait "$a" "$b"
	if ok_of "$O1" && ok_of "$O2"; then
		both=$((both + 1)); echo "round $r: both accepted: $pa, $pb"
	elif ! ok_of "$O1" && ! ok_of "$O2"; then
		none=$((none + 1)); echo "round $r: both refused: $(cat "$O1") / $(cat "$O2")"
	else
		loser=$O1; ok_of "$O1" && loser=$O2
		grep -q "overlaps" "$loser" || { silent=$((silent + 1)); echo "round $r: the loser said: $(cat "$loser")"; }
		[ "$r" -le 3 ] && echo "round $r: the loser said: $(cat "$loser")"
	fi
	wait_for -t 5 same_tables || { split=$((split + 1)); echo "round $r: tables differ: $(oneline "$(diff <(table "$SOCK1") <(table "$SOCK2"))")"; }
	n=$(psql -c "SELECT count(*) FROM ap_bindings WHERE ipv4 = '192.0.2.9'")
	[ "$n" = 1 ] || { rows_bad=$((rows_bad + 1)); echo "round $r: the store holds $n sets on 192.0.2.9"; }
	prrctl1 release 2001:db8:1::a1 >/dev/null 2>&1 || true	# the loser holds nothing
	prrctl1 release 2001:db8:1::a2 >/dev/null 2>&1 || true
	wait_for -t 5 same_tables || true
done
check "20 rounds of overlapping assigns at once: never both accepted ($both times)" test "$both" = 0
check "20 rounds: one always accepted ($none rounds with none)" test "$none" = 0
check "20 rounds: the loser's prrctl says why ($silent silent)" test "$silent" = 0
check "20 rounds: both PRRs end with the same table ($split apart)" test "$split" = 0
check "20 rounds: the store holds one set on the address ($rows_bad rounds not)" test "$rows_bad" = 0

# --- an assign over a set registered through another PRR, not yet seen -------
# The registration is committed as another PRR commits (ap_apply), in the
# barrier's transaction: prr2 checks its table (no such set there), waits
# for the lock, and commits second.
psid=$(psql -c "SELECT p FROM generate_series(0, 255) p WHERE NOT EXISTS (SELECT 1 FROM ap_bindings
	WHERE ipv4 = '192.0.2.8' AND ports = 'psid ' || p || '/8 offset 4') ORDER BY p DESC LIMIT 1")
lo=$((4096 + psid * 16))	# its ports in block 1: lo .. lo + 15
exp=$(($(date +%s) + 600))
barrier_begin "SELECT ap_apply('another-prr', E'+\\t2001:db8:8000:7ff::1\\t192.0.2.8\\tpsid $psid/8 offset 4\\tdynamic\\t$exp\\t0\\t0\\t00112233445566778899aabb\\n')"
run_ctl "$O1" "$SOCK2" assign 2001:db8:1::a3 192.0.2.8 "$((lo + 4))-$((lo + 12))" &
a=$!
wait_for -t 10 waiting 1 || echo "prr2's commit did not wait for the barrier"
barrier_end
wait "$a"
echo "assign over a registered set: $(cat "$O1")"
check "an assign over a registered set is refused" test "$(cut -d' ' -f1 "$O1")" != 0
check "the refusal names the registered set" grep -q "2001:db8:8000:7ff::1" "$O1"
check "both PRRs hold the registration, not the assignment" wait_for -t 5 sh -c \
	"$PRRCTL -s $SOCK1 show 2001:db8:8000:7ff::1 && $PRRCTL -s $SOCK2 show 2001:db8:8000:7ff::1 &&
	 ! $PRRCTL -s $SOCK1 show 2001:db8:1::a3 && ! $PRRCTL -s $SOCK2 show 2001:db8:1::a3"
check "the same table on both after it" wait_for -t 5 same_tables
psql -c "SELECT ap_apply('another-prr', E'-\\t2001:db8:8000:7ff::1\\n')" >/dev/null

# --- a change from the store over entries the PRRs hold (newest wins) --------
# The PRRs hold an operator set the store no longer has (deleted behind
# their backs, as a refused change of theirs would be); another PRR's
# commit over it comes through NOTIFY: both drop theirs and take the
# store's, an operator's set and then a registration in its slot.
holds() { "$PRRCTL" -s "$SOCK1" show "$1" >/dev/null 2>&1 && "$PRRCTL" -s "$SOCK2" show "$1" >/dev/null 2>&1; }
gone() { ! "$PRRCTL" -s "$SOCK1" show "$1" >/dev/null 2>&1 && ! "$PRRCTL" -s "$SOCK2" show "$1" >/dev/null 2>&1; }
stale() {	# stale IPV6 IPV4 PORTS: both PRRs hold it, the store does not
	prrctl1 assign "$1" "$2" "$3" >/dev/null
	wait_for -t 5 holds "$1" || echo "prr2 did not take $1"
	psql -c "DELETE FROM ap_bindings WHERE ipv6 = '$1'" >/dev/null
}
stale 2001:db8:1::a4 192.0.2.9 7000-7999
psql -c "SELECT ap_apply('another-prr', E'+\\t2001:db8:1::a5\\t192.0.2.9\\t7500-8499\\toperator\\t0\\t0\\t0\\n')" >/dev/null
check "an operator's set from the store replaces the overlapping one both PRRs held" \
	wait_for -t 5 sh -c "$(declare -f holds gone); PRRCTL=$PRRCTL SOCK1=$SOCK1 SOCK2=$SOCK2; holds 2001:db8:1::a5 && gone 2001:db8:1::a4"
lo=$((4096 + psid * 16))
stale 2001:db8:1::a6 192.0.2.8 "$lo-$((lo + 3))"
psql -c "SELECT ap_apply('another-prr', E'+\\t2001:db8:8000:7fd::1\\t192.0.2.8\\tpsid $psid/8 offset 4\\tdynamic\\t$exp\\t0\\t0\\t00112233445566778899aabc\\n')" >/dev/null
check "a registration from the store replaces the operator's set both PRRs held in its slot" \
	wait_for -t 5 sh -c "$(declare -f holds gone); PRRCTL=$PRRCTL SOCK1=$SOCK1 SOCK2=$SOCK2; holds 2001:db8:8000:7fd::1 && gone 2001:db8:1::a6"
check "both PRRs still answer, with the same table" wait_for -t 5 same_tables
psql -c "SELECT ap_apply('another-prr', E'-\\t2001:db8:1::a5\\n-\\t2001:db8:8000:7fd::1\\n')" >/dev/null
check "and the same table once they are gone" wait_for -t 5 same_tables

# --- whois --at, the same on both ---------------------------------------------
read -r _ w4 wport <"$A1" || true
at=$(date +%s)
w1=$(prrctl1 whois "$w4:$wport" --at "$at" 2>&1 || true); w2=$(prrctl2 whois "$w4:$wport" --at "$at" 2>&1 || true)
check "whois --at answers ($(oneline "$w1"))" test -n "$w1" -a "${w1#error}" = "$w1"
check "whois --at the same on both" test "$w1" = "$w2"

# --- PostgreSQL stopped ---------------------------------------------------------
"$PG" stop "$RUN/pg"
check "store stopped: traffic flows" pings h11 h21
check "store stopped: renewals answered from memory" tbt 10 ap-core "$REGLOAD" 2001:db8:100::1 5351 20 64 0
check_fails "store stopped: new registrations get no answer" tbt 3 ap-core "$REGLOAD" 2001:db8:100::1 5351 5 5 2000
rc=0
out=$(cd "$ROOT" && timeout 10 "$TESTBED" exec ap-prr2 "$PRR" -f -c etc/testbed/scaleout/prr2.conf 2>&1) || rc=$?
check "a PRR refuses to start without its store (rc $rc: $(oneline "$out"))" \
	test "$rc" = 1 -a -n "$(echo "$out" | grep postgresql)"
"$PG" start "$RUN/pg" >/dev/null
if tbt 40 ap-core "$REGLOAD" 2001:db8:100::1 5351 5 5 2000 >/dev/null; then
	pass "store back: the waiting registrations answered"
else
	fail "store back: the waiting registrations answered" "what each holds below"
	echo "prr:"; prrctl1 list | grep '8000:7d[0-4]:'
	echo "prr2:"; prrctl2 list | grep '8000:7d[0-4]:'
	echo "store:"; psql -c "SELECT ipv6, ipv4, ports, nonce FROM ap_bindings WHERE ipv6 << '2001:db8:8000:700::/56'"
	prrctl1 stats | grep pcp_; prrctl2 stats | grep pcp_
fi
check "store back: both PRRs hold them" wait_for -t 10 both_hold 1007
check "store back: the same table on both" test "$(table "$SOCK1")" = "$(table "$SOCK2")"

# --- either PRR killed: the other forwards everyone ---------------------------
# anycast_via ROUTE...: ap-core's route to the anycast address, deleted first
# (its gateway 2001:db8:100::1 would be looked up through that /128 itself)
anycast_via() {
	tb ap-core ip -6 route del 2001:db8:100::1/128
	tb ap-core ip -6 route add 2001:db8:100::1/128 "$@"
}
# route_only N: traffic to the anycast address and the pool through prr N
# alone (what a routing protocol does when a PRR's session drops)
route_only() {
	local v6=2001:db8:100::1 dev=prr0 v4=198.51.100.1 eth=eth0
	[ "$1" = 2 ] && { v6=2001:db8:101::1; dev=prr1; v4=198.51.101.1; eth=eth1; }
	anycast_via via "$v6" dev "$dev"
	tb ap-inet ip route replace 192.0.2.0/28 via "$v4" dev "$eth"
}
route_both() {
	anycast_via nexthop via 2001:db8:100::1 dev prr0 nexthop via 2001:db8:101::1 dev prr1
	tb ap-inet ip route replace 192.0.2.0/28 \
		nexthop via 198.51.100.1 dev eth0 nexthop via 198.51.101.1 dev eth1
}
for dead in prr prr2; do
	pid=$(cat "$RUN/$dead.pid")
	kill -KILL "$pid"
	wait_for -t 5 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
	if [ "$dead" = prr ]; then route_only 2; else route_only 1; fi
	check "$dead killed: every SMAP's traffic flows" wait_for -t 5 pings h11 h12 h21
	"$TESTBED" restart "$dead" "etc/testbed/scaleout/$dead.conf" >/dev/null
	route_both
	if wait_for -t 5 same_tables; then
		pass "$dead back: the same table on both"
	else
		fail "$dead back: the same table on both" "$(oneline "$(diff <(table "$SOCK1") <(table "$SOCK2"))")"
	fi
done
check "traffic flows through both again" wait_for -t 5 pings h11 h21
