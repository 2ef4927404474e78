#!/bin/bash
# SPDX-License-Identifier: MIT
# 50-portsurvey: portsurvey counts live flows per host and per class.
#
# Builds its own namespaces (aps-*, apart from the testbed's ap-*):
#
#   aps-h1 192.168.77.10 --+
#                          br0 192.168.77.1  aps-gw  wan0 203.0.113.1 --- aps-inet 203.0.113.10
#   aps-h2 192.168.77.11 --+        nftables: snat to 203.0.113.1:20000-20999
#
# The hosts open a known number of flows to servers in aps-inet (UDP 53,
# TCP 80 and 443, UDP 443, UDP 5000); portsurvey runs live in aps-gw and
# its --json must show exactly those counts, per host and per class.
# Prints PASS:/FAIL:/SKIP: lines; exits non-zero if any failed.
# Everything is torn down on exit, also on failure.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${AP_BIN:-$ROOT/build/bin}/portsurvey
PY=${PYTHON:-/usr/bin/python3}
NSS="aps-inet aps-gw aps-h1 aps-h2"
TMP=$(mktemp -d /tmp/aps-portsurvey.XXXXXX)
N_FAIL=0
N_PASS=0
PIDS=""

pass() { N_PASS=$((N_PASS + 1)); echo "PASS: $1"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }
ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

cleanup() {
	local rc=$? n p
	trap - EXIT INT TERM
	# what runs in our namespaces is ours: the servers and the clients
	for n in $NSS; do
		PIDS="$PIDS $(ip netns pids "$n" 2>/dev/null)"
	done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
	if [ "$rc" != 0 ] && [ "$N_FAIL" = 0 ]; then
		echo "FAIL: 50-portsurvey: aborted with status $rc"
		N_FAIL=1
	fi
	echo "# 50-portsurvey: $N_PASS passed, $N_FAIL failed"
	[ "$N_FAIL" = 0 ] && exit 0
	exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { fail "${2:-setup}" "$1"; exit 1; }

[ "$(id -u)" = 0 ] || { skip 50-portsurvey "needs root (network namespaces)"; N_FAIL=0; trap - EXIT; rm -rf "$TMP"; exit 0; }
[ -x "$BIN" ] || die "$BIN not built (make)"

# leftovers of an interrupted run are ours (aps- prefix): remove them
for n in $NSS; do
	for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p"; done
	ip netns del "$n" 2>/dev/null
done

# --- topology --------------------------------------------------------------
set -e
for n in $NSS; do ip netns add "$n"; ns "$n" ip link set lo up; done
ip link add wan0 netns aps-gw type veth peer name eth0 netns aps-inet
ns aps-gw ip addr add 203.0.113.1/24 dev wan0
ns aps-gw ip link set wan0 up
ns aps-inet ip addr add 203.0.113.10/24 dev eth0
ns aps-inet ip link set eth0 up
ns aps-gw ip link add br0 type bridge
ns aps-gw ip addr add 192.168.77.1/24 dev br0
ns aps-gw ip link set br0 up
i=10
for h in h1 h2; do
	ip link add "$h" netns aps-gw type veth peer name eth0 netns "aps-$h"
	ns aps-gw ip link set "$h" master br0 up
	ns "aps-$h" ip addr add "192.168.77.$i/24" dev eth0
	ns "aps-$h" ip link set eth0 up
	ns "aps-$h" ip route add default via 192.168.77.1
	i=$((i + 1))
done
ns aps-gw sysctl -qw net.ipv4.ip_forward=1
ns aps-gw nft -f - <<'NFT'
table ip aps_nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" ip saddr 192.168.77.0/24 meta l4proto { tcp, udp } snat to 203.0.113.1:20000-20999
		oifname "wan0" ip saddr 192.168.77.0/24 masquerade
	}
}
NFT
set +e

# --- servers in the "Internet" -----------------------------------------------
cat >"$TMP/server.py" <<'PY'
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in (80, 443):
	s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("0.0.0.0", port)); s.listen(128); s.setblocking(False)
	sel.register(s, selectors.EVENT_READ, "tcp")
for port in (53, 443, 5000):
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", port))
	sel.register(u, selectors.EVENT_READ, "udp")
open(sys.argv[1], "w").write("ready\n")
held = []
while True:
	for key, _ in sel.select():
		if key.data == "tcp":
			c, _ = key.fileobj.accept(); held.append(c)	# keep it open
		else:
			data, peer = key.fileobj.recvfrom(2048)
			key.fileobj.sendto(data, peer)	# a reply: a two-way flow
PY
# client.py READY_FILE SPORT proto:port:count ...: opens the flows, holds
# them. Each from its own source port SPORT, SPORT+1, ..., inside the NAT's
# range, which the NAT then keeps: left to choose, it may give two flows
# to different destinations one port (a random start, unique per whole
# tuple), and portsurvey rightly counts such a port once
cat >"$TMP/client.py" <<'PY'
import socket, sys, time
held = []
sport = int(sys.argv[2])
for spec in sys.argv[3:]:
	proto, port, n = spec.split(":")
	for _ in range(int(n)):
		if proto == "tcp":
			s = socket.create_connection(("203.0.113.10", int(port)), timeout=5,
						     source_address=("0.0.0.0", sport))
		else:
			s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
			s.bind(("0.0.0.0", sport))
			s.settimeout(5)
			s.sendto(b"q", ("203.0.113.10", int(port)))
			s.recvfrom(16)
		sport += 1
		held.append(s)
open(sys.argv[1], "w").write("ready\n")
time.sleep(120)
PY

wait_file() {	# wait_file FILE SECS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

ip netns exec aps-inet "$PY" "$TMP/server.py" "$TMP/server.ready" &
PIDS="$PIDS $!"
wait_file "$TMP/server.ready" 10 || die "servers in aps-inet did not start"

# h1: dns 5, http 3, https 4, other 2 = 14
# h2: dns 2, https 5 + 1 QUIC, other 1 + 1 ping (below) = 10
ip netns exec aps-h1 "$PY" "$TMP/client.py" "$TMP/h1.ready" 20100 udp:53:5 tcp:80:3 tcp:443:4 udp:5000:2 &
PIDS="$PIDS $!"
ip netns exec aps-h2 "$PY" "$TMP/client.py" "$TMP/h2.ready" 20200 udp:53:2 tcp:443:5 udp:443:1 udp:5000:1 &
PIDS="$PIDS $!"
wait_file "$TMP/h1.ready" 15 || die "flows from aps-h1 not open"
wait_file "$TMP/h2.ready" 15 || die "flows from aps-h2 not open"
# an ICMP echo id is a port too: h2's other class is 2
ns aps-h2 ping -c 1 -W 2 203.0.113.10 >/dev/null 2>&1 || die "ping from aps-h2 failed"
# a decoy that must not count: traffic to the gateway itself
ns aps-h1 ping -c 1 -W 1 192.168.77.1 >/dev/null 2>&1

# the NAT really maps into the range (else the test proves nothing)
if ns aps-gw conntrack -L 2>/dev/null | grep -q 'dst=203.0.113.1 sport=443 dport=20[12][0-9][0-9]'; then
	pass "snat maps LAN flows into 203.0.113.1:20000-20999, keeping the clients' own ports"
else
	fail "snat maps LAN flows into 203.0.113.1:20000-20999" \
	    "$(ns aps-gw conntrack -L 2>&1 | head -3 | tr '\n' ' ')"
fi

# --- the checks ----------------------------------------------------------------
# check_json NAME FILE: the counts of the flows opened above
check_json() {
	local out
	if out=$("$PY" - "$2" <<'PY' 2>&1
import json, sys
j = json.load(open(sys.argv[1]))
want_cls = {"dns": 7, "http": 3, "https": 10, "other": 4}
want_hosts = {"192.168.77.10": (14, {"dns": 5, "http": 3, "https": 4, "other": 2}),
              "192.168.77.11": (10, {"dns": 2, "http": 0, "https": 6, "other": 2})}
err = []
if j["samples"] != 2: err.append("samples %s" % j["samples"])
if (j["ports"]["min"], j["ports"]["max"]) != (24, 24):
	err.append("ports min/max %s/%s, want 24" % (j["ports"]["min"], j["ports"]["max"]))
for c in j["classes"]:
	if (c["min"], c["max"]) != (want_cls[c["name"]],) * 2:
		err.append("class %s %s-%s, want %s" % (c["name"], c["min"], c["max"], want_cls[c["name"]]))
p = j["protocols"]
if (p["tcp"]["max"], p["udp"]["max"], p["icmp"]["max"]) != (12, 11, 1):
	err.append("protocols tcp %s udp %s icmp %s" % (p["tcp"]["max"], p["udp"]["max"], p["icmp"]["max"]))
hosts = {h["address"]: h for h in j["hosts"]}
if set(hosts) != set(want_hosts): err.append("hosts %s" % sorted(hosts))
for a, (ports, cls) in want_hosts.items():
	h = hosts.get(a)
	if not h: continue
	if h["max"] != ports or h["samples"] != 2: err.append("%s max %s samples %s" % (a, h["max"], h["samples"]))
	for c, n in cls.items():
		if h["classes"][c]["max"] != n: err.append("%s %s %s, want %s" % (a, c, h["classes"][c]["max"], n))
if err: sys.exit("; ".join(err))
PY
	); then
		pass "$1"
	else
		fail "$1" "$(echo "$out" | tail -1)"
	fi
}

run() {	# run NAME ARGS...: portsurvey in aps-gw, JSON to $TMP/NAME.json
	local name=$1; shift
	if ns aps-gw "$BIN" -q --json -n 2 -i 0.5 "$@" >"$TMP/$name.json" 2>"$TMP/$name.err"; then
		return 0
	fi
	fail "$name" "portsurvey exited $?: $(head -3 "$TMP/$name.err" | tr '\n' ' ')"
	return 1
}

if run netlink --source netlink --svg "$TMP/live.svg" --csv "$TMP/live.csv"; then
	check_json "live ctnetlink: per host and per class counts" "$TMP/netlink.json"
	if grep -q '"source": "netlink"' "$TMP/netlink.json"; then
		pass "live sampling used ctnetlink"
	else
		fail "live sampling used ctnetlink" "$(grep source "$TMP/netlink.json")"
	fi
	if [ "$(wc -l <"$TMP/live.csv")" = 3 ] && head -1 "$TMP/live.csv" | grep -q '^sample,seconds,epoch,ports,'; then
		pass "CSV time series: a header and one row per sample"
	else
		fail "CSV time series: a header and one row per sample" "$(head -3 "$TMP/live.csv" | tr '\n' ' ')"
	fi
	if out=$("$PY" - "$TMP/live.svg" <<'PY' 2>&1
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1])
s = {p.get("data-series") for p in t.iter("{http://www.w3.org/2000/svg}polyline")}
want = {"total", "class:dns", "class:http", "class:https", "class:other",
	"host:192.168.77.10", "host:192.168.77.11"}
if s != want: sys.exit("series %s" % sorted(s))
PY
	); then
		pass "SVG is well-formed with one series per class and host"
	else
		fail "SVG is well-formed with one series per class and host" "$out"
	fi
fi

run proc --source proc && check_json "live /proc/net/nf_conntrack: same counts" "$TMP/proc.json"
run wan --wan-address 203.0.113.1 --lan 192.168.77.0/24 &&
	check_json "--wan-address and --lan: same counts" "$TMP/wan.json"

# a snapshot taken now and read offline gives the same numbers
ns aps-gw cat /proc/net/nf_conntrack >"$TMP/snap.txt"
[ -n "${DEBUG:-}" ] && grep "src=192.168.77.1 " "$TMP/snap.txt" >&2
if "$BIN" -q --json --from "$TMP/snap.txt" "$TMP/snap.txt" >"$TMP/snap.json" 2>"$TMP/snap.err"; then
	check_json "snapshot read with --from: same counts" "$TMP/snap.json"
else
	fail "snapshot read with --from: same counts" "$(head -2 "$TMP/snap.err")"
fi

# --class: user classes replace the defaults
if ns aps-gw "$BIN" -q --json -n 1 --class web=tcp/80,tcp/443,udp/443 \
    --class resolver=udp/53 >"$TMP/cls.json" 2>"$TMP/cls.err" &&
    "$PY" -c '
import json, sys
c = {x["name"]: x["max"] for x in json.load(open(sys.argv[1]))["classes"]}
sys.exit(0 if c == {"web": 13, "resolver": 7, "other": 4} else "classes %s" % c)' "$TMP/cls.json" 2>"$TMP/cls.err"; then
	pass "--class web=tcp/80,tcp/443,udp/443 --class resolver=udp/53"
else
	fail "--class web=tcp/80,tcp/443,udp/443 --class resolver=udp/53" "$(tail -1 "$TMP/cls.err")"
fi

# only CAP_NET_ADMIN is needed: run as nobody with just that capability
if ! command -v setpriv >/dev/null || ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$BIN"; then
	skip "runs as nobody with CAP_NET_ADMIN" "setpriv missing or $BIN not reachable by nobody"
elif ns aps-gw setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=+net_admin --ambient-caps=+net_admin \
    "$BIN" -q --json -n 2 -i 0.5 --source netlink >"$TMP/nobody.json" 2>"$TMP/nobody.err"; then
	check_json "runs as nobody with only CAP_NET_ADMIN" "$TMP/nobody.json"
else
	fail "runs as nobody with only CAP_NET_ADMIN" "$(head -2 "$TMP/nobody.err" | tr '\n' ' ')"
fi
if ns aps-gw setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    "$BIN" -q -n 1 --source netlink >/dev/null 2>"$TMP/nocap.err"; then
	fail "without CAP_NET_ADMIN ctnetlink is refused" "it succeeded"
elif grep -q 'CAP_NET_ADMIN' "$TMP/nocap.err"; then
	pass "without CAP_NET_ADMIN ctnetlink is refused, with a hint"
else
	fail "without CAP_NET_ADMIN ctnetlink is refused, with a hint" "$(head -1 "$TMP/nocap.err")"
fi
