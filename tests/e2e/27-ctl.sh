#!/bin/bash
# SPDX-License-Identifier: MIT
# The control sockets and the CLIs (issues 14, 15, 18): --help and
# --version of every program; valid JSON from every prrctl and smap
# command, help included, errors included ({"error": ...} and a non-zero exit);
# arguments checked before sending; a client trickling bytes delays
# neither another prrctl call nor a PCP answer of the SMAP, and is cut
# at the deadline; an over-long request line gets an error reply;
# SO_PEERCRED refuses a uid not allowed and control_allow admits it;
# Prometheus text from `--format prometheus` and from metrics_file,
# read with python3-prometheus-client's parser.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

BIN=${AP_BIN:-$ROOT/build/bin}
PRRCTL="$BIN/prrctl"
SMAPCTL="$BIN/smapctl"
SMAP1_SOCK=$RUN/smap1.sock

have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }
smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

restored=0
ctl_cleanup() {
	[ "$restored" = 1 ] && return 0
	"$TESTBED" restart prr >/dev/null 2>&1 || echo "# could not restart prr"
	smap_stop 1 || true
	smap_start 1 "$ROOT/etc/testbed/smap1.conf" || echo "# could not restart smap1"
}
on_exit ctl_cleanup

# --- --help and --version -------------------------------------------------
versions=""
for p in prr prrctl smap smapctl portsurvey; do
	out=$("$BIN/$p" --help 2>/dev/null) && rc=0 || rc=$?
	if [ "$rc" = 0 ] && printf '%s' "$out" | grep -q "usage"; then
		pass "$p --help: usage on stdout, exit 0"
	else
		fail "$p --help" "exit $rc, stdout '$(oneline "$out")'"
	fi
	out=$("$BIN/$p" --version 2>/dev/null) && rc=0 || rc=$?
	if [ "$rc" = 0 ] && [ "${out%% *}" = "$p" ] && [ -n "${out#* }" ]; then
		pass "$p --version: '$out'"
		versions="$versions ${out#* }"
	else
		fail "$p --version" "exit $rc, stdout '$out'"
	fi
done
if [ "$(echo $versions | tr ' ' '\n' | sort -u | wc -l)" = 1 ]; then
	pass "one version string for all programs"
else
	fail "one version string" "$versions"
fi
check "prrctl help lists the commands" sh -c "'$PRRCTL' help | grep -q assign"
check "smapctl help lists the commands" sh -c "'$SMAPCTL' help | grep -q mappings"

# --- JSON: every command, errors included ------------------------------
# json_ok NAME WANT_RC CHECK_PY CMD...: CMD exits WANT_RC ("0" or "nonzero"),
# its stdout is one valid JSON document (json.tool), and CHECK_PY (on v) holds
json_ok() {
	local name=$1 want=$2 py=$3 out rc; shift 3
	out=$("$@" 2>/dev/null) && rc=0 || rc=$?
	if [ "$want" = 0 ] && [ "$rc" != 0 ]; then
		fail "$name" "exit $rc: $(oneline "$out")"; return
	fi
	if [ "$want" != 0 ] && [ "$rc" = 0 ]; then
		fail "$name" "exit 0, wanted an error: $(oneline "$out")"; return
	fi
	if ! printf '%s' "$out" | "$PYTHON" -m json.tool >/dev/null 2>&1; then
		fail "$name" "not valid JSON: $(oneline "$out")"; return
	fi
	if printf '%s' "$out" | "$PYTHON" -c "import json,sys; v=json.load(sys.stdin); sys.exit(0 if ($py) else 1)"; then
		pass "$name"
	else
		fail "$name" "JSON does not satisfy '$py': $(oneline "$out")"
	fi
}
P=("$PRRCTL" -s "$PRR_SOCK" --json)
# help_py PROG COMMANDS: {"usage", "commands": [{"name", "usage", "help"}]},
# every command of COMMANDS (space-separated) there, its usage PROG NAME ...
help_py() {
	echo "v['usage'].startswith('$1 ') and set('$2'.split()) <= {c['name'] for c in v['commands']}" \
		"and all(c['usage'].startswith('$1 ' + c['name']) and c['help'] for c in v['commands'])"
}
PRR_CMDS="list show assign release whois stats rules rule help"
json_ok "prrctl --json help: the commands and their usage" 0 "$(help_py prrctl "$PRR_CMDS")" "$PRRCTL" --json help
json_ok "prrctl --help --json: the same" 0 "$(help_py prrctl "$PRR_CMDS")" "$PRRCTL" --help --json
json_ok "smapctl --json help: the commands and their usage" 0 \
	"$(help_py smapctl "stats status mappings ping help")" "$SMAPCTL" --json help
json_ok "prrctl --json stats" 0 "v['in4_packets'] >= 0 and v['pcp_requests'] >= 0 and 'bindings' in v" "${P[@]}" stats
json_ok "prrctl stats --format json" 0 "'in6_packets' in v" "$PRRCTL" -s "$PRR_SOCK" stats --format json
json_ok "prrctl --json list" 0 "isinstance(v, list) and any(b['ipv6'] == '2001:db8:1::2' and b['port_min'] == 10000 for b in v)" "${P[@]}" list
json_ok "prrctl --json show" 0 "isinstance(v, list) and len(v) == 1" "${P[@]}" show 2001:db8:2::2
json_ok "prrctl --json show unknown: error" nonzero "'error' in v" "${P[@]}" show 2001:db8:99::9
json_ok "prrctl --json rules" 0 "isinstance(v, list)" "${P[@]}" rules
json_ok "prrctl --json whois without a log: error" nonzero "'error' in v" "${P[@]}" whois 192.0.2.1:10000
json_ok "prrctl --json assign" 0 "v == {'ok': True}" "${P[@]}" assign 2001:db8:9::2 192.0.2.2 20000-20999
json_ok "prrctl --json show the assigned" 0 "v[0]['port_max'] == 20999" "${P[@]}" show 2001:db8:9::2
json_ok "prrctl assign --json refused: the reason in JSON" nonzero "'pool' in v['error']" "$PRRCTL" -s "$PRR_SOCK" assign --json 2001:db8:9::3 203.0.113.1 20000-20999
json_ok "prrctl --json release" 0 "v == {'ok': True}" "${P[@]}" release 2001:db8:9::2
json_ok "prrctl --json release again: error" nonzero "'error' in v" "${P[@]}" release 2001:db8:9::2
json_ok "prrctl --json rule calc" 0 "v['psid'] == 52" "${P[@]}" rule calc --rule-ipv6 2001:db8::/40 --rule-ipv4 192.0.2.0/24 --ea-len 16 --prefix 2001:db8:12:3400::/56
json_ok "prrctl --json stats, no daemon: error" nonzero "'error' in v" "$PRRCTL" -s "$E2E_TMP/none.sock" --json stats
json_ok "prrctl --json unknown command: error" nonzero "'unknown' in v['error']" "${P[@]}" frobnicate
json_ok "prrctl --json, a bad option: error" nonzero "'option' in v['error']" "${P[@]}" --frob stats
json_ok "prrctl, a bad option, --json after the command: error" nonzero "'option' in v['error']" \
	"$PRRCTL" -s "$PRR_SOCK" --frob stats --json
json_ok "prrctl --json assign, missing args: says what" nonzero "'missing the port set' in v['error']" "${P[@]}" assign 2001:db8:9::2 192.0.2.2
for bad in x 0junk -1 256; do
	json_ok "prrctl refuses softwire index '$bad' before sending" nonzero "'softwire index' in v['error']" \
		"$PRRCTL" -s "$E2E_TMP/none.sock" --json assign 2001:db8:9::2 192.0.2.2 20000-20999 "$bad"
done
json_ok "prrctl refuses a bad IPv4 before sending" nonzero "'not an IPv4' in v['error']" \
	"$PRRCTL" -s "$E2E_TMP/none.sock" --json assign 2001:db8:9::2 192.0.2.2junk 20000-20999
json_ok "prrctl refuses a bad port set before sending" nonzero "v['error'].startswith('assign:')" \
	"$PRRCTL" -s "$E2E_TMP/none.sock" --json assign 2001:db8:9::2 192.0.2.2 20999-20000
json_ok "prrctl refuses whois without a port" nonzero "'IPV4:PORT' in v['error']" \
	"$PRRCTL" -s "$E2E_TMP/none.sock" --json whois 192.0.2.1
out=$("$PRRCTL" -s "$PRR_SOCK" assign 2>&1) && rc=0 || rc=$?
if [ "$rc" = 2 ] && printf '%s' "$out" | grep -q "missing" && ! printf '%s' "$out" | grep -q "unknown command"; then
	pass "prrctl assign without arguments says what is missing (exit 2)"
else
	fail "prrctl assign without arguments" "exit $rc: $(oneline "$out")"
fi

for c in "$SMAP" "$SMAPCTL"; do
	n=$(basename "$c")
	json_ok "$n stats --json" 0 "v['in_packets'] >= 0 and v['in_drop_frag'] >= 0" "$c" stats --json -s "$SMAP1_SOCK"
	json_ok "$n status --json" 0 "v['ipv4'] == '192.0.2.1' and v['tun_mtu'] > 0" "$c" status --json -s "$SMAP1_SOCK"
	json_ok "$n mappings --json" 0 "isinstance(v, list)" "$c" mappings --json -s "$SMAP1_SOCK"
	json_ok "$n ping --json" 0 "v == {'ok': True}" "$c" ping --json -s "$SMAP1_SOCK"
	json_ok "$n status --json, no daemon: error" nonzero "'error' in v" "$c" status --json -s "$E2E_TMP/none.sock"
	json_ok "$n stats --json, no daemon: error" nonzero "'error' in v" "$c" stats --json -s "$E2E_TMP/none.sock"
done
json_ok "smapctl --json unknown command: error" nonzero "'unknown' in v['error']" "$SMAPCTL" -s "$SMAP1_SOCK" --json frobnicate
json_ok "smap, a bad option before --json: error" nonzero "'option' in v['error']" "$SMAP" status --frob --json -s "$SMAP1_SOCK"
check "smap status (text) still works" sh -c "'$SMAP' status -s '$SMAP1_SOCK' | grep -q '^ports'"

# --- every drop counted: a fragment reassembly refuses -------------------
# from the PRR's softwire address to smap1: an inner IPv4 first fragment
# (MF) of 13 bytes, not a multiple of 8, which reassembly refuses
frag0=$(smap_stat 1 in_drop_frag)
tb ap-prr "$PYTHON" -c '
from scapy.all import IPv6, IP, Raw, send
inner = IP(src="198.51.100.10", dst="192.0.2.1", id=4242, flags="MF", frag=0, proto=17) / Raw(b"x" * 13)
send(IPv6(src="2001:db8:100::1", dst="2001:db8:1::2", nh=4) / inner, verbose=0)'
frag_counted() { [ "$(smap_stat 1 in_drop_frag)" -gt "$frag0" ]; }
if wait_for -t 5 frag_counted; then
	pass "smap counts a fragment refused by reassembly (in_drop_frag)"
else
	fail "in_drop_frag" "still $(smap_stat 1 in_drop_frag) after a refused fragment"
fi

# --- the server: trickling clients, long lines ------------------------
# trickle SOCKET SECONDS: send a byte every 0.2 s, no newline; prints the
# seconds after which the daemon closed the connection (or "open")
trickle() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.setblocking(False)
s.send(b"s")
print("connected", file=sys.stderr, flush=True)	# what the caller waits for
t0 = time.monotonic()
while time.monotonic() - t0 < float(sys.argv[2]):
    try:
        if s.recv(100) == b"":
            break
    except BlockingIOError:
        pass
    except OSError:
        break
    try:
        s.send(b"s")
    except OSError:
        break
    time.sleep(0.2)
else:
    print("open"); sys.exit()
print("%.1f" % (time.monotonic() - t0))
EOF
}
# ms CMD...: run it, print how long it took in milliseconds
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t0) / 1000000 )); }

# the same call alone first: the baseline (the sanitizer build starts slowly)
base=$(ms "$PRRCTL" -s "$PRR_SOCK" stats)
T=$(tmpfile)
trickle "$PRR_SOCK" 6 >"$T" 2>"$T.err" &
TPID=$!
wait_for -t 30 grep -q connected "$T.err" || true
t=$(ms "$PRRCTL" -s "$PRR_SOCK" stats)
if [ "$t" -lt $((base + 1000)) ]; then
	pass "prrctl stats answered in $t ms while a client trickles bytes (alone: $base ms)"
else
	fail "prrctl stats beside a trickling client" "took $t ms, alone $base ms"
fi
wait "$TPID" || true
closed=$(cat "$T")
if [ "$closed" != open ] && "$PYTHON" -c "import sys; sys.exit(0 if 1.5 <= float(sys.argv[1]) <= 3.5 else 1)" "$closed"; then
	pass "the trickling client was cut at the deadline (after ${closed} s)"
else
	fail "the trickling client cut at the deadline" "closed: $closed"
fi

# natpmpc (C, starts in milliseconds even on a loaded machine, unlike a
# Python client) asks smap1's PCP/NAT-PMP server, alone and then beside a
# control client that trickles bytes: a server that waited on the trickler
# would answer only at its deadline (CTL_DEADLINE_MS)
natpmp() { tb ap-h11 natpmpc -g 192.168.1.1 -a 7777 7777 udp "$1" 2>&1; }
base=$(ms natpmp 30)
T=$(tmpfile)
trickle "$SMAP1_SOCK" 3 >"$T" 2>"$T.err" &
TPID=$!
wait_for -t 30 grep -q connected "$T.err" || true
t0=$(date +%s%N)
out=$(natpmp 30)
t=$(( ($(date +%s%N) - t0) / 1000000 ))
if echo "$out" | grep -q "^Mapped public port" && [ "$t" -lt $((base + 1000)) ]; then
	pass "smap1 answered PCP in $t ms while a control client trickles bytes (alone: $base ms)"
else
	fail "PCP answer beside a trickling control client" "$t ms (alone $base ms): $(oneline "$out")"
fi
natpmp 0 >/dev/null || true
wait "$TPID" || true

# long_line SOCKET N: send N bytes and a newline, print the reply
long_line() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"show " + b"a" * int(sys.argv[2]) + b"\n")
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    out += d
print(out.decode(errors="replace").strip())
EOF
}
for sock in "$PRR_SOCK" "$SMAP1_SOCK"; do
	out=$(long_line "$sock" 2000)
	case $out in
	error*longer*) pass "$(basename "$sock"): a 2000-byte request line gets an error reply" ;;
	*) fail "$(basename "$sock"): over-long line" "reply '$(oneline "$out")'" ;;
	esac
done
out=$(long_line "$PRR_SOCK" 300)
case $out in
error*binding*|error*neither*) pass "prr.sock: a 300-byte line is read whole (not cut at 255)" ;;
*) fail "prr.sock: 300-byte line" "reply '$(oneline "$out")'" ;;
esac

# --- SO_PEERCRED ---------------------------------------------------------
NOBODY=(setpriv --reuid nobody --regid nogroup --clear-groups)
m=$(stat -c %a "$PRR_SOCK"); ms1=$(stat -c %a "$SMAP1_SOCK")
if [ "$m" = 660 ] && [ "$ms1" = 660 ]; then
	pass "both socket files are 0660"
else
	fail "socket file modes" "prr $m, smap1 $ms1"
fi
chmod 0666 "$PRR_SOCK"	# let nobody connect: the daemon itself must refuse
json_ok "prrctl as nobody: refused by SO_PEERCRED" nonzero "'permission denied' in v['error']" \
	"${NOBODY[@]}" "$PRRCTL" -s "$PRR_SOCK" --json stats
chmod 0666 "$SMAP1_SOCK"
json_ok "smapctl as nobody: refused by SO_PEERCRED" nonzero "'permission denied' in v['error']" \
	"${NOBODY[@]}" "$SMAPCTL" -s "$SMAP1_SOCK" --json status
chmod 0660 "$SMAP1_SOCK"

# --- control_allow, metrics_file ---------------------------------------
PROM=$RUN/prr-test.prom
SPROM=$RUN/smap1-test.prom
CONF=$(tmpfile)
cp "$ROOT/etc/testbed/prr.conf" "$CONF"
printf 'control_allow = [ "nobody" ];\nmetrics_file = "%s";\n' "$PROM" >>"$CONF"
rm -f "$PROM" "$SPROM"
check "prr -n accepts control_allow and metrics_file" "$BIN/prr" -n -c "$CONF"
BAD=$(tmpfile)
cp "$ROOT/etc/testbed/prr.conf" "$BAD"
echo 'control_allow = [ "no-such-user-x" ];' >>"$BAD"
out=$("$BIN/prr" -n -c "$BAD" 2>&1) && rc=0 || rc=$?
if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q "$BAD:[0-9]*: control_allow.*no user"; then
	pass "an unknown user in control_allow: file:line: key: message"
else
	fail "control_allow with an unknown user" "exit $rc: $(oneline "$out")"
fi
"$TESTBED" restart prr "$CONF" >/dev/null
chmod 0666 "$PRR_SOCK"
json_ok "prrctl as nobody, allowed by control_allow" 0 "'in4_packets' in v" \
	"${NOBODY[@]}" "$PRRCTL" -s "$PRR_SOCK" --json stats

# traffic through the PRR, so counters move
tb ap-h11 ping -c 2 -W 1 -i 0.2 198.51.100.10 >/dev/null 2>&1 || true

# prom_check NAME FILE PYEXPR: FILE parses as Prometheus text and PYEXPR
# holds on fam (name -> family) and val (sample name + labels -> value)
prom_check() {
	local name=$1 file=$2 py=$3 out
	if out=$("$PYTHON" - "$file" "$py" 2>&1 <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fam, val = {}, {}
for f in text_string_to_metric_families(text):
    fam[f.name] = f
    for s in f.samples:
        val[s.name + "".join("{%s=%s}" % kv for kv in sorted(s.labels.items()))] = s.value
ok = eval(sys.argv[2])
print(len(fam), "families")
sys.exit(0 if ok else 1)
EOF
	); then
		pass "$name ($out)"
	else
		fail "$name" "$(oneline "$out")"
	fi
}
if wait_for -t 10 test -s "$PROM"; then
	pass "prr wrote metrics_file"
else
	fail "prr metrics_file" "$PROM not written"
fi
prom_check "prr metrics_file parses; counters, NFQUEUE per queue, bindings" "$PROM" \
	"fam['prr_in4_packets'].type == 'counter' and fam['prr_in4_drop_unbound'].documentation and 'prr_nfqueue_dropped_total{queue=0}' in val and 'prr_nfqueue_backlog{queue=1}' in val and val['prr_bindings'] >= 2 and 'prr_pcp_requests_total' in val"
F=$(tmpfile)
"$PRRCTL" -s "$PRR_SOCK" stats --format prometheus >"$F"
prom_check "prrctl stats --format prometheus parses" "$F" \
	"val['prr_in4_packets_total'] >= 2 and len([f for f in fam.values() if f.type == 'counter']) >= 40"
s1=$(stat -c %Y "$PROM"); ino1=$(stat -c %i "$PROM")
if wait_for -t 12 sh -c "[ \$(stat -c %i '$PROM') != $ino1 ]"; then
	pass "metrics_file rewritten (a new file renamed over it)"
else
	fail "metrics_file rewritten" "inode $ino1 unchanged after 12 s (mtime $s1)"
fi
ls "$RUN" | grep -q 'prr-test.prom.tmp' && fail "no temporary file left" "$(ls "$RUN")" || pass "no temporary metrics file left"

F=$(tmpfile)
"$SMAP" stats --format prometheus -s "$SMAP1_SOCK" >"$F"
prom_check "smap stats --format prometheus parses" "$F" \
	"fam['smap_in_packets'].type == 'counter' and 'smap_in_drop_frag_total' in val and val['smap_tun_mtu'] > 0 and 'smap_pcp_result_success_total' in val"
SCONF=$(tmpfile)
cp "$ROOT/etc/testbed/smap1.conf" "$SCONF"
printf 'metrics_file = "%s";\n' "$SPROM" >>"$SCONF"
smap_stop 1
smap_start 1 "$SCONF"
if wait_for -t 10 test -s "$SPROM"; then
	pass "smap wrote metrics_file"
else
	fail "smap metrics_file" "$SPROM not written"
fi
prom_check "smap metrics_file parses" "$SPROM" "'smap_out_packets_total' in val and 'smap_uptime_seconds' in val"

restored=1
"$TESTBED" restart prr >/dev/null 2>&1 || fail "prr restored" "restart failed"
smap_stop 1
smap_start 1 "$ROOT/etc/testbed/smap1.conf" || fail "smap1 restored" "start failed"
rm -f "$PROM" "$SPROM"
