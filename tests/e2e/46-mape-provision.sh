#!/bin/bash
# SPDX-License-Identifier: MIT
# MAP-E rules provisioned through the registration (map.rules_from_prr):
# smap1 knows only its delegated prefix 2001:db8:f000:4100::/56, asks the
# PRR for the rules with its registration (MAP_RULE option, common/pcp.h),
# derives 192.0.2.9 PSID 1 from the rule that comes back, and h11 reaches
# ap-inet from a port of that set.
#   - smap1's derived address, set and MAP address; its registration bound
#     with one rule
#   - h11 to the Internet from a port of PSID 1
#   - the PRR's counters and a capture of the answer show the rule went in
#     the reply, FMR flag set, with the rule's fields
# Switches the testbed to the MAP-E variant's addresses for smap1 and to
# etc/testbed/mape/prr-provision.conf, and restores the plain one.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

PRRCTL=${AP_BIN:-$ROOT/build/bin}/prrctl
MAP1=2001:db8:f000:4100:0:c000:209:1
V4_1=192.0.2.9
SET1='lambda x: x >= 1024 and (x >> 4) & 63 == 1'
prrctl() { "$PRRCTL" -s "$PRR_SOCK" "$@"; }
prr_stat() { prrctl --json stats | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
in_set() { "$PYTHON" -c "import sys; f=$1; sys.exit(0 if f(int(sys.argv[1])) else 1)" "$2"; }

net() {		# net add|del: smap1's MAP address and the routes to its prefix
	ip -n ap-core -6 route "$1" 2001:db8:f000:4100::/56 via 2001:db8:1::2
	ip -n ap-prr -6 route "$1" 2001:db8:f000::/48 via 2001:db8:100::2
	ip -n ap-smap1 -6 addr "$1" "$MAP1/128" dev wan0 ${2:+"$2"}
}

have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }
if ip -n ap-smap1 -6 addr show dev wan0 | grep -q "$MAP1"; then
	fail "plain testbed" "smap1 already has $MAP1 (run on the plain testbed)"
	exit 1
fi
capture_pid=
restore() {
	[ -z "$capture_pid" ] || kill_tree "$capture_pid" 2>/dev/null || true
	smap_stop 1 || true
	smap_stop 2 || true
	net del >/dev/null 2>&1 || true
	plain_restart
}
on_exit restore
smap_stop 1
smap_stop 2
net add nodad
"$TESTBED" restart prr etc/testbed/mape/prr-provision.conf >/dev/null
CAP=$E2E_TMP/reg.pcap
capture ap-prr core0 "$CAP" 'udp port 5351' || true
capture_pid=$BG_PID
smap_start 1 etc/testbed/mape/smap1-rules-from-prr.conf
if wait_for -t 15 tb ap-h11 ping -c 1 -W 1 "$INET"; then
	pass "smap1 with rules_from_prr up; h11 reaches $INET"
else
	fail "smap1 with rules_from_prr up; h11 reaches $INET" "$(oneline "$(tail -5 "$RUN/smap1.log")")"
	exit 1
fi

# --- what smap1 derived from the PRR's rule -----------------------------------
s1="$(smap_status 1 ipv4) $(smap_status 1 ports)"
reg="$(smap_status 1 registration) $(smap_status 1 reg_map_rules)"
if [ "$s1" = "$V4_1 psid 1/6 offset 6" ] && [ "$reg" = "bound 1" ]; then
	pass "smap1 derived $s1 from the rule the PRR sent (registration $reg rule)"
else
	fail "smap1 derived $V4_1 PSID 1 from the PRR's rule" "'$s1', registration '$reg'"
fi
if grep -q "MAP-E rules from the PRR: BMR 2001:db8:f000::/48 192.0.2.8/30 ea 8 offset 6, 1 FMR(s), MAP address $MAP1" "$RUN/smap1.log"; then
	pass "smap1 took the BMR (also an FMR) and sends from its MAP address $MAP1"
else
	fail "smap1's log of the rules" "$(oneline "$(grep -i 'map-e' "$RUN/smap1.log" | tail -2)")"
fi

# --- h11 to the Internet from a port of PSID 1 --------------------------------
start_server udp ap-inet "$PYTHON" "$TOOL" udp-server --port 9999 --ready "$E2E_TMP/udp.ready"
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 300 || true)
sport=$(jget "$u" sport)
if [ "$(jget "$u" ok)" = True ] && [ "$(jget "$u" src)" = "$V4_1" ] && in_set "$SET1" "$sport"; then
	pass "h11 to the Internet: seen as $V4_1:$sport, a port of PSID 1"
else
	fail "h11 to the Internet from PSID 1" "$u"
fi
fast_path_carries 1 ap-h11 "rules from the PRR"
checked=$(prr_stat in6_rule_checked)
if [ "$checked" -gt 0 ]; then
	pass "the PRR checked smap1's packets by the rule (in6_rule_checked $checked)"
else
	fail "the PRR's in6_rule_checked" "$checked"
fi

# --- SIGHUP keeps the rule's address, set and FMRs ---------------------------
warned=$(grep -c "change at restart only" "$RUN/smap1.log" || true)
reloads() { grep -c 'reloaded$' "$RUN/smap1.log" || true; }
r=$(reloads)
kill -HUP "$(smap_pid 1)"
wait_ge $((r + 1)) reloads || true
s1b="$(smap_status 1 ipv4) $(smap_status 1 ports)"
u=$(tb ap-h11 "$PYTHON" "$TOOL" udp-req --dst "$INET" --port 9999 --len 100 || true)
if [ "$s1b" = "$s1" ] && [ "$(jget "$u" src)" = "$V4_1" ] && in_set "$SET1" "$(jget "$u" sport)" &&
    [ "$(grep -c "change at restart only" "$RUN/smap1.log" || true)" = "$warned" ]; then
	pass "after SIGHUP smap1 keeps $s1b and its MAP address; h11 still leaves from PSID 1"
else
	fail "SIGHUP with rules_from_prr" "'$s1b', $u, $(oneline "$(tail -3 "$RUN/smap1.log")")"
fi

# --- the rule went in the reply -----------------------------------------------
answers=$(prr_stat pcp_rule_answers); sent=$(prr_stat pcp_rules_sent)
if [ "$answers" -ge 1 ] && [ "$sent" -ge "$answers" ]; then
	pass "the PRR answered with rules: pcp_rule_answers $answers, pcp_rules_sent $sent"
else
	fail "the PRR's rule counters" "pcp_rule_answers $answers, pcp_rules_sent $sent"
fi
# the answers counted above are in the capture file too (-U writes each at once)
answered() { tshark -n -r "$CAP" -Y 'udp.srcport == 5351' 2>/dev/null | wc -l; }
wait_ge "$answers" answered || true
kill_tree "$capture_pid" 2>/dev/null || true
capture_pid=
# in a PRR answer (R bit, MAP): option 224, length 28, FMR flag, /48 /30
# EA 8 offset 6, PSID 0/0, 192.0.2.8, 2001:db8:f000::
want=e000001c80301e0806000000c000020820010db8f000
hits=$(tshark -n -r "$CAP" -Y 'udp.srcport == 5351' -T fields -e udp.payload 2>/dev/null |
	tr -d ':' | grep -c "$want" || true)
if [ "$hits" -ge 1 ]; then
	pass "a capture on ap-prr's core0 shows $hits answer(s) carrying the rule (MAP_RULE 224)"
else
	fail "MAP_RULE in the captured answers" "$(tshark -n -r "$CAP" 2>/dev/null | head -4 | tr '\n' ' ')"
fi
