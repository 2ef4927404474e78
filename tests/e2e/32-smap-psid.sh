#!/bin/bash
# SPDX-License-Identifier: MIT
# A MAP-E PSID port set (RFC 7597 5.1: offset 6, PSID length 6, PSID 5:
# 63 blocks of 16 ports) on smap1, with the PRR bound to match: every
# block is used by the NAT, for UDP, TCP and ICMP echo identifiers alike.
# smap1 and the PRR get their testbed configurations back at the end,
# also on failure.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }
have_prr || { fail "prr running" "the testbed's prr is not running"; exit 1; }

PRR_CONF=$E2E_TMP/prr-psid.conf
SMAP_CONF=$E2E_TMP/smap1-psid.conf
sed -e 's|{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.1"; ports = "10000-10999"; }|{ ipv6 = "2001:db8:1::2"; ipv4 = "192.0.2.2"; psid = 5; psid_length = 6; offset = 6; }|' \
	"$ROOT/etc/testbed/prr.conf" >"$PRR_CONF"
grep -q 'psid = 5' "$PRR_CONF" || { fail "PSID binding for the PRR" "cannot rewrite etc/testbed/prr.conf"; exit 1; }
sed -e 's|^ipv4_address = .*|ipv4_address = "192.0.2.2";|' \
    -e 's|^ports = .*|psid = 5; psid_length = 6; offset = 6;|' \
	"$ROOT/etc/testbed/smap1.conf" >"$SMAP_CONF"
# the set, for the checks: PSID 5 of k = 6 at a = 6
IN_SET='lambda p: p >= 1024 and (p >> 4) & 63 == 5'

restore() {
	smap_stop 1 || true
	"$TESTBED" restart prr >/dev/null 2>&1 || echo "# could not restart prr with its testbed configuration"
	smap_start 1 etc/testbed/smap1.conf || echo "# could not restart smap1 with its testbed configuration"
	wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET" || echo "# h11 does not reach $INET after the restore"
}
on_exit restore

smap_stop 1
"$TESTBED" restart prr "$PRR_CONF" >/dev/null
smap_start 1 "$SMAP_CONF" || { fail "smap1 starts with a PSID set" "$(tail -5 "$RUN/smap1.log")"; exit 1; }
if wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET"; then pass "smap1 runs with psid 5/6 offset 6; h11 reaches $INET"
else fail "smap1 runs with psid 5/6 offset 6; h11 reaches $INET" "$(tail -5 "$RUN/smap1.log")"; exit 1; fi

n=$(tb ap-smap1 nft list table ip smap | grep -o '192\.0\.2\.2 \. [0-9]*-[0-9]*' | wc -l)
[ "$n" = 63 ] && pass "the NAT rule maps into all 63 blocks of the set" ||
	fail "the NAT rule maps into all 63 blocks of the set" "$n blocks: $(tb ap-smap1 nft list chain ip smap srcnat | tr '\n' ' ' | cut -c1-300)"

# servers
start_server flows ap-inet "$PYTHON" "$TOOL" udp-server --port 9998 --log "$E2E_TMP/flows.log" --ready "$E2E_TMP/flows.ready"
WWW=$E2E_TMP/www
mkdir -p "$WWW"
head -c 1000000 /dev/urandom >"$WWW/page.bin"
bg ap-inet sh -c "exec '$PYTHON' '$TOOL' http-server --port 8080 --dir '$WWW' --ready '$E2E_TMP/http.ready' 2>'$E2E_TMP/http.log'"
wait_for -t 10 test -e "$E2E_TMP/http.ready"

# ICMP echo: identifiers mapped into the set (conntrack shows the reply id)
for i in 1 2 3 4 5 6; do tb ap-h11 ping -c 1 -W 2 "$INET" >/dev/null 2>&1 || true; done
ids=$(tb ap-smap1 conntrack -L -p icmp -s 192.168.1.10 --reply-dst 192.0.2.2 2>/dev/null | sed -n 's/.*id=\([0-9]*\).*/\1/p' | tr '\n' ',' | sed 's/,$//')
if [ -n "$ids" ] && "$PYTHON" -c "import sys; f=$IN_SET; sys.exit(0 if all(f(int(x)) for x in sys.argv[1].split(',')) else 1)" "$ids"; then
	pass "ping works; echo identifiers mapped into the PSID set: $ids"
else
	fail "echo identifiers mapped into the PSID set" "ids: $ids"
fi
fast_path_carries 1 ap-h11 "PSID set 5/6"

# TCP
got=$(tb ap-h11 curl -s --max-time 20 "http://$INET:8080/page.bin" | sha256sum | cut -d' ' -f1)
port=$(tb ap-inet "$PYTHON" "$TOOL" http-log "$E2E_TMP/http.log")
if [ "$got" = "$(sha256sum <"$WWW/page.bin" | cut -d' ' -f1)" ] &&
    "$PYTHON" -c "import json,sys; f=$IN_SET; e=json.loads(sys.argv[1]); sys.exit(0 if e and all(s == '192.0.2.2' and f(p) for s, p in e) else 1)" "$port"; then
	pass "HTTP from h11: the server saw $port"
else
	fail "HTTP from h11 from 192.0.2.2 and a port of the set" "sha256 $got, server saw $port"
fi

# many UDP flows: every block in use, no port outside the set
out=$(tb ap-h11 "$PYTHON" "$TOOL" udp-flows --dst "$INET" --port 9998 --count 1500 --timeout 8)
res=$("$PYTHON" -c "
import json, sys
f = $IN_SET
d = json.loads(sys.argv[1])
p = d['ports']
blocks = {x >> 10 for x in p}
ok = d['srcs'] == ['192.0.2.2'] and len(set(p)) == len(p) and all(f(x) for x in p)
print('%s %d %d' % ('ok' if ok else 'bad', len(p), len(blocks)))" "$out")
set -- $res
if [ "$1" = ok ] && [ "$2" -ge 900 ] && [ "$3" = 63 ]; then
	pass "1500 UDP flows: $2 got distinct ports of the set, in all $3 blocks; the rest failed (set exhausted)"
else
	fail "UDP flows spread over every block of the PSID set" "$res"
fi
leak=$("$PYTHON" -c "
import sys
f = $IN_SET
print(sum(1 for l in open(sys.argv[1]) if l.split()[1] != '192.0.2.2' or not f(int(l.split()[2]))))" "$E2E_TMP/flows.log")
[ "$leak" = 0 ] && pass "ap-inet saw no flow from outside the PSID set" ||
	fail "ap-inet saw no flow from outside the PSID set" "$leak datagrams outside"
tb ap-smap1 conntrack -D -p udp --dport 9998 >/dev/null 2>&1 || true
