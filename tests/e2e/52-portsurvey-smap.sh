#!/bin/bash
# SPDX-License-Identifier: MIT
# portsurvey on the testbed: LAN hosts of ap-smap1 open known flows to
# ap-inet through the real SMAP; portsurvey, run live on ap-smap1, must
# count them per host and per class, as external ports of 192.0.2.1
# inside smap1's set 10000-10999.
. "$(dirname "$0")/lib.sh"

BIN="${AP_BIN:-$ROOT/build/bin}/portsurvey"
[ -x "$BIN" ] || { fail portsurvey "no $BIN"; exit 1; }
[ -e "$RUN/smap1.pid" ] && grep -q smap "/proc/$(cat "$RUN/smap1.pid")/cmdline" 2>/dev/null ||
	{ fail portsurvey-smap "the testbed runs no real smap in ap-smap1"; exit 1; }

# servers in ap-inet: TCP 80 and 443 that keep connections open
bg ap-inet "$PYTHON" -c '
import socket, threading, time
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64)
    keep = []
    while True:
        c, _ = s.accept(); keep.append(c)
for p in (80, 443):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
time.sleep(60)'
listening() { tb ap-inet ss -Hltn 'sport = :80 or sport = :443' | wc -l; }
wait_ge 2 listening || true

# clients hold their flows open while portsurvey samples:
# h11: 3 DNS (UDP 53) + 2 HTTP; h12: 2 HTTPS + 1 other (UDP 5000)
HOLD='
import socket, sys, time
spec = sys.argv[1:]
keep = []
for item in spec:
    proto, port = item.split("/")
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"q", ("198.51.100.10", int(port)))
    else:
        s = socket.create_connection(("198.51.100.10", int(port)), timeout=3)
    keep.append(s)
print("ready", flush=True)
time.sleep(20)'
# only our flows: forget the testbed's own readiness pings, and flows
# of earlier tests from these hosts that conntrack still holds (TCP in
# TIME_WAIT stays 2 minutes)
tb ap-smap1 conntrack -D -p icmp >/dev/null 2>&1 || true
tb ap-smap1 conntrack -D -s 192.168.1.10 >/dev/null 2>&1 || true
tb ap-smap1 conntrack -D -s 192.168.1.11 >/dev/null 2>&1 || true
R1=$(tmpfile); R2=$(tmpfile)
bg ap-h11 "$PYTHON" -c "$HOLD" udp/53 udp/53 udp/53 tcp/80 tcp/80 >"$R1"
bg ap-h12 "$PYTHON" -c "$HOLD" tcp/443 tcp/443 udp/5000 >"$R2"
wait_for -t 10 grep -q ready "$R1" && wait_for -t 10 grep -q ready "$R2" ||
	{ fail "flows opened" "clients not ready: $(cat "$R1" "$R2")"; exit 1; }
pass "flows opened from ap-h11 and ap-h12"

OUT=$(tmpfile)
if tb ap-smap1 "$BIN" -q --json -n 2 -i 0.5 >"$OUT" 2>"$OUT.err"; then
	pass "portsurvey samples ap-smap1 live"
else
	fail "portsurvey samples ap-smap1 live" "$(head -3 "$OUT.err")"
	exit 1
fi
# the distinct external (protocol, port) pairs our 8 flows hold: 8, or
# fewer when the NAT gave two flows to different destinations one port
# (allowed: the whole tuple stays unique), which portsurvey counts once
EXT=$(tb ap-smap1 conntrack -L 2>/dev/null |
	awk '/src=192\.168\.1\.1[01] .*dst=192\.0\.2\.1 / { n = split($0, f, "dport="); split(f[n], p, " "); print $1, p[1] }' |
	sort -u | wc -l)
if out=$("$PYTHON" - "$OUT" "$EXT" <<'PY' 2>&1
import json, sys
j = json.load(open(sys.argv[1]))
ext = int(sys.argv[2])
want = {"192.168.1.10": {"dns": 3, "http": 2, "https": 0, "other": 0},
        "192.168.1.11": {"dns": 0, "http": 0, "https": 2, "other": 1}}
hosts = {h["address"]: h for h in j["hosts"]}
err = []
for a, cls in want.items():
    h = hosts.get(a)
    if not h:
        err.append("host %s missing (have %s)" % (a, sorted(hosts)))
        continue
    for c, n in cls.items():
        if h["classes"][c]["max"] != n:
            err.append("%s %s = %s, want %s" % (a, c, h["classes"][c]["max"], n))
if ext < 7 or j["ports"]["max"] < ext:
    err.append("ports max %s, want at least the %s external ports conntrack shows" % (j["ports"]["max"], ext))
if err:
    sys.exit("; ".join(err))
PY
); then
	pass "per host and per class counts match the flows opened ($EXT external ports)"
else
	fail "per host and per class counts match the flows opened" "$(echo "$out" | tail -1)"
fi
# the ports counted are external ports after NAT: inside smap1's set
if tb ap-smap1 conntrack -L -p tcp --dport 80 2>/dev/null | grep -q 'dport=1[0-9][0-9][0-9][0-9] '; then
	ports=$(tb ap-smap1 conntrack -L 2>/dev/null | grep -o 'dst=192.0.2.1 sport=[0-9]* dport=[0-9]*' | awk -F'dport=' '{print $2}' | sort -u)
	bad=$(echo "$ports" | awk '$1 < 10000 || $1 > 10999' | head -3)
	[ -z "$bad" ] && pass "the flows' external ports lie in 10000-10999" ||
		fail "the flows' external ports lie in 10000-10999" "outside: $bad"
else
	fail "the flows' external ports lie in 10000-10999" "no NATed flow to port 80 in conntrack"
fi
