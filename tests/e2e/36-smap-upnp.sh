#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMAP's UPnP IGD (smap/upnp.c) with real control points: upnpc
# (miniupnpc) on ap-h11 finds it by SSDP on the LAN bridge, reads the
# shared address, maps inside the port set (and ap-inet connects
# through), is refused outside it (718), gets a port of the set from
# AddAnyPortMapping, lists and deletes; another host may not map for h11
# (606); a Node.js control point maps too; upnpc and natpmpc never share
# a port; malformed, oversized and unknown SOAP requests get UPnP errors
# and the daemon answers afterwards. Restarts smap1 with UPnP enabled,
# and with its testbed configuration at the end.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

SHARED=192.0.2.1
H11=192.168.1.10
CONF=$E2E_TMP/smap1-upnp.conf
# the testbed's smap1 with UPnP, its mappings in a state file of this test's own
{ sed "s|state_file = \"[^\"]*\"|state_file = \"$E2E_TMP/mappings\"|" "$ROOT/etc/testbed/smap1.conf"
  echo 'upnp = { enable = true; http_port = 49200; };'; } >"$CONF"
CTL=http://192.168.1.1:49200/ctl/IPConn
DESC=http://192.168.1.1:49200/rootDesc.xml

stop1() {	# SIGTERM smap1 and wait (libupnp's threads take a moment to stop)
	local pid
	pid=$(smap_pid 1) || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	wait_for -t 20 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
}
# --- configuration errors name file, line and key --------------------------------
BAD=$E2E_TMP/bad.conf
{ cat "$ROOT/etc/testbed/smap1.conf"; echo 'upnp = { version = 3; http_port = 80; colour = 1; };'; } >"$BAD"
n=$(wc -l <"$BAD")
set +e
out=$("$SMAP" -n -c "$BAD" 2>&1 </dev/null); rc=$?
set -e
if [ "$rc" != 0 ] && echo "$out" | grep -q "^$BAD:$n: upnp.version: " &&
    echo "$out" | grep -q "^$BAD:$n: upnp.http_port: 80: libupnp listens on 49152..65535" &&
    echo "$out" | grep -q "^$BAD:$n: upnp.colour: unknown key"; then
	pass "bad upnp group: exit $rc, file:line: key for version, http_port, an unknown key"
else
	fail "bad upnp group: file:line: key errors" "rc $rc: $(oneline "$out")"
fi

restore() {
	stop1 || echo "# smap1 did not stop"
	smap_start 1 etc/testbed/smap1.conf || echo "# could not restart smap1"
}
trap 'rc=$?; set +e; restore; (exit $rc); e2e_cleanup' EXIT

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }
stop1
if smap_start 1 "$CONF"; then pass "smap1 starts with upnp = { enable = true; }"
else fail "smap1 starts with upnp enabled" "$(oneline "$(tail -3 "$RUN/smap1.log")")"; exit 1; fi

# -i: miniupnpc 2.2 calls an IGD whose external address is reserved (the
# testbed's 192.0.2.1 is TEST-NET-1) "not connected" and stops without it
upnpc() { tb "$1" timeout 20 upnpc -i "${@:2}" 2>&1 || true; }

# --- discovery (SSDP multicast on lan0) and the external address ---------------
if wait_for -t 10 sh -c "'$TESTBED' exec ap-h11 timeout 10 upnpc -i -l 2>&1 | grep -q 'ExternalIPAddress = $SHARED'"; then
	pass "upnpc on h11 discovers the IGD by SSDP and reads ExternalIPAddress $SHARED"
else
	fail "upnpc discovers the IGD and reads $SHARED" "$(oneline "$(upnpc ap-h11 -l; tail -5 "$RUN/smap1.log")")"
fi

# --- the IGD, SSDP and PCP answer the LAN only: from the WAN (IPv6, ap-core) the
# guard table drops them, and counts what it dropped
wan_refused() {
	tb ap-smap1 nft list counter inet smap_guard wan_refused | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
before=$(wan_refused)
tb ap-core "$PYTHON" -c '
import socket
for port in (1900, 5351):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: [ff02::c]:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n", ("2001:db8:1::2", port))
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.settimeout(0.5)
try:
    t.connect(("2001:db8:1::2", 49200))
    print("connected")
except OSError:
    pass' >"$E2E_TMP/wan-probe.out" 2>&1 || true
refused_since() { [ "$(wan_refused)" -ge $(($1 + 3)) ]; }
if wait_for -t 10 refused_since "$before" &&
    ! grep -q connected "$E2E_TMP/wan-probe.out"; then
	pass "SSDP, PCP and the IGD's HTTP port dropped from the WAN over IPv6 (wan_refused $before -> $(wan_refused))"
else
	fail "SSDP, PCP and the IGD's HTTP port dropped from the WAN over IPv6" "wan_refused $before -> $(wan_refused); $(oneline "$(cat "$E2E_TMP/wan-probe.out")")"
fi
out=$(upnpc ap-h11 -l)
echo "$out" | grep -q "desc: $DESC" && pass "the description is at $DESC (lan0's address)" ||
	fail "description URL on the LAN address" "$(oneline "$out")"

# --- AddPortMapping inside the set; ap-inet connects through --------------------
bg ap-h11 socat TCP-LISTEN:8080,reuseaddr,fork SYSTEM:'echo reached-h11'
wait_for sh -c "'$TESTBED' exec ap-h11 ss -ltn | grep -q ':8080 '"
out=$(upnpc ap-h11 -e e2e-tcp -a "$H11" 8080 10080 TCP 600)
if echo "$out" | grep -q "external $SHARED:10080 TCP is redirected to internal $H11:8080"; then
	pass "upnpc -a: 10080/TCP -> $H11:8080"
else
	fail "upnpc -a inside the set" "$(oneline "$out")"
fi
got=$(tb ap-inet timeout 5 socat -T 3 - TCP:$SHARED:10080 </dev/null 2>&1 || true)
[ "$got" = reached-h11 ] && pass "ap-inet connects to $SHARED:10080 and reaches h11:8080" ||
	fail "inbound TCP through the UPnP mapping" "got '$(oneline "$got")'"

# --- outside the set: 718; AddAnyPortMapping gives a port of the set ------------
out=$(upnpc ap-h11 -a "$H11" 8081 8081 TCP 600)
echo "$out" | grep -q "failed with code 718 (ConflictInMappingEntry)" &&
	pass "upnpc -a outside 10000-10999: 718 ConflictInMappingEntry" ||
	fail "upnpc -a outside the set: 718" "$(oneline "$out")"
out=$(upnpc ap-h11 -n "$H11" 8082 8082 TCP 600)
any=$(echo "$out" | sed -n "s/.*external $SHARED:\([0-9]*\) TCP is redirected to internal $H11:8082.*/\1/p")
if [ -n "$any" ] && [ "$any" -ge 10000 ] && [ "$any" -le 10999 ]; then
	pass "upnpc -n (AddAnyPortMapping) asked 8082, got $any in the set"
else
	fail "AddAnyPortMapping gets a port of the set" "$(oneline "$out")"
fi

# --- 606: h12 may not map for h11 -----------------------------------------------
out=$(upnpc ap-h12 -a "$H11" 8083 10083 TCP 600)
echo "$out" | grep -q "failed with code 606" && pass "h12 mapping for h11: 606 Action not authorized" ||
	fail "another host's InternalClient: 606" "$(oneline "$out")"

# --- listing: -l (GetGenericPortMappingEntry), -L (GetListOfPortMappings) -------
out=$(upnpc ap-h11 -l)
if echo "$out" | grep -q "TCP 10080->$H11:8080 *'e2e-tcp'" && echo "$out" | grep -q "TCP *$any->$H11:8082"; then
	pass "upnpc -l lists both mappings"
else
	fail "upnpc -l lists the mappings" "$(oneline "$out")"
fi
out=$(upnpc ap-h11 -L)
echo "$out" | grep -q "TCP 10080->$H11:8080 *'e2e-tcp'" && echo "$out" | grep -q "TCP *$any->$H11:8082" &&
	pass "upnpc -L (GetListOfPortMappings) lists both" || fail "upnpc -L" "$(oneline "$out")"

# --- delete: -d, then 714; -N range, then 730 ----------------------------------
out=$(upnpc ap-h11 -d 10080 TCP)
echo "$out" | grep -qi "failed" && fail "upnpc -d 10080 TCP" "$(oneline "$out")" || pass "upnpc -d 10080 TCP"
got=$(tb ap-inet timeout 5 socat -T 2 - TCP:$SHARED:10080 </dev/null 2>&1 || true)
[ "$got" != reached-h11 ] && pass "after the delete ap-inet no longer reaches h11" ||
	fail "the delete removes the forward" "still reached h11"
out=$(upnpc ap-h11 -d 10080 TCP)
echo "$out" | grep -q "714" && pass "deleting it again: 714 NoSuchEntryInArray" ||
	fail "delete of nothing: 714" "$(oneline "$out")"
upnpc ap-h11 -a "$H11" 9001 10901 UDP 600 >/dev/null
out=$(upnpc ap-h11 -N 10000 10999 TCP)
echo "$out" | grep -qi "fail" && fail "upnpc -N 10000 10999 TCP" "$(oneline "$out")" || pass "upnpc -N 10000 10999 TCP"
out=$(upnpc ap-h11 -l)
if ! echo "$out" | grep -q "TCP *$any->" && echo "$out" | grep -q "UDP 10901->$H11:9001"; then
	pass "the range delete removed the TCP mapping and kept the UDP one"
else
	fail "DeletePortMappingRange by protocol" "$(oneline "$out")"
fi
out=$(upnpc ap-h11 -N 10000 10999 TCP)
echo "$out" | grep -q "730" && pass "the range again: 730 PortMappingNotFound" ||
	fail "range delete of nothing: 730" "$(oneline "$out")"

# --- a Node.js control point (npm: @achingbrain/nat-port-mapper, pinned) --------
NODE_DIR=$E2E_TMP/node
mkdir -p "$NODE_DIR"
cp "$E2E_DIR/upnp-node/package.json" "$E2E_DIR/upnp-node/package-lock.json" \
	"$E2E_DIR/upnp-node/map.mjs" "$NODE_DIR/"
if (cd "$NODE_DIR" && timeout 300 npm ci --no-audit --no-fund --silent >npm.log 2>&1); then
	out=$(tb ap-h11 timeout 30 node "$NODE_DIR/map.mjs" 7070 "$H11" 2>&1 || true)
	port=$(jget "$(echo "$out" | tail -1)" externalPort 2>/dev/null || true)
	host=$(jget "$(echo "$out" | tail -1)" externalHost 2>/dev/null || true)
	if [ "$host" = "$SHARED" ] && [ -n "$port" ] && [ "$port" -ge 10000 ] && [ "$port" -le 10999 ] &&
	    upnpc ap-h11 -l | grep -q "TCP *$port->$H11:7070 *'node-e2e'"; then
		pass "Node.js nat-port-mapper maps 7070 to $SHARED:$port (seen by upnpc -l)"
	else
		fail "Node.js control point maps a port" "$(oneline "$out")"
	fi
else
	fail "npm ci @achingbrain/nat-port-mapper" "$(oneline "$(tail -3 "$NODE_DIR/npm.log")")"
fi

# --- the same table: smap mappings lists UPnP's mappings ----------------------
out=$("$SMAP" mappings -s "$RUN/smap1.sock" 2>&1 || true)
echo "$out" | grep -q "^udp *$SHARED:10901 *$H11:9001 .* upnp " &&
	pass "smap mappings lists upnpc's 10901/UDP with origin upnp" ||
	fail "smap mappings shows UPnP mappings" "$(oneline "$out")"

# --- upnpc and natpmpc never share an external port ----------------------------
upnpc ap-h11 -a "$H11" 6001 10600 UDP 600 >/dev/null
out=$(tb ap-h12 timeout 10 natpmpc -g 192.168.1.1 -a 6002 10600 udp 600 2>&1 || true)
npport=$(echo "$out" | sed -n 's/.*Mapped public port \([0-9]*\) protocol UDP.*/\1/p' | tail -1)
if [ -n "$npport" ] && [ "$npport" != 10600 ] && [ "$npport" -ge 10000 ] && [ "$npport" -le 10999 ]; then
	pass "natpmpc asking 10600 (held by upnpc) gets $npport"
else
	fail "natpmpc gets another port than upnpc's" "$(oneline "$out")"
fi
if [ -n "$npport" ]; then
	out=$(upnpc ap-h11 -a "$H11" 6003 "$npport" UDP 600)
	echo "$out" | grep -q "failed with code 718" && pass "upnpc asking natpmpc's $npport: 718" ||
		fail "upnpc on natpmpc's port: 718" "$(oneline "$out")"
fi

# --- malformed SOAP, oversized requests, unknown actions -----------------------
soap() {	# ACTION BODY [URN]: POST to the control URL, print "HTTP-CODE body"
	local urn=${3:-urn:schemas-upnp-org:service:WANIPConnection:2}
	tb ap-h11 curl -s -m 5 -o - -w ' HTTP%{http_code}' -H 'Content-Type: text/xml; charset="utf-8"' \
		-H "SOAPAction: \"$urn#$1\"" --data-binary @"$2" "$CTL" 2>&1 || true
}
envelope() {	# ACTION INNER-XML [VERSION] > file
	printf '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%s xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:%s">%s</u:%s></s:Body></s:Envelope>' "$1" "${3:-2}" "$2" "$1"
}
alive() {
	local f
	f=$(tmpfile); envelope GetExternalIPAddress '' >"$f"
	smap_running 1 && soap GetExternalIPAddress "$f" | grep -q "<NewExternalIPAddress>$SHARED</NewExternalIPAddress>"
}
f=$(tmpfile); envelope FormatHardDisk '' >"$f"
out=$(soap FormatHardDisk "$f")
echo "$out" | grep -q "<errorCode>401</errorCode>" && alive &&
	pass "unknown action: UPnP error 401, the daemon answers afterwards" ||
	fail "unknown action: 401" "$(oneline "$out")"
f=$(tmpfile); envelope AddPortMapping '<NewExternalPort>10070</NewExternalPort><NewProtocol>TCP' >"$f"
out=$(soap AddPortMapping "$f")
echo "$out" | grep -q "HTTP[45]00" && alive &&
	pass "malformed SOAP (unclosed elements): an error, the daemon answers afterwards" ||
	fail "malformed SOAP" "$(oneline "$out")"
f=$(tmpfile); envelope AddPortMapping '<NewExternalPort>ten</NewExternalPort><NewProtocol>TCP</NewProtocol>' >"$f"
out=$(soap AddPortMapping "$f")
echo "$out" | grep -q "<errorCode>402</errorCode>" && alive &&
	pass "AddPortMapping with missing and bad arguments: 402 Invalid Args" ||
	fail "bad arguments: 402" "$(oneline "$out")"
f=$(tmpfile); head -c 200000 /dev/zero | tr '\0' x | envelope GetExternalIPAddress "$(cat)" >"$f"
out=$(soap GetExternalIPAddress "$f")
echo "$out" | grep -q "<NewExternalIPAddress>" && fail "oversized request refused" "it was served" ||
	{ alive && pass "oversized request (200 kB) refused, the daemon answers afterwards" ||
	  fail "oversized request" "$(oneline "$out")"; }
f=$(tmpfile); head -c 3000 /dev/urandom >"$f"
out=$(soap GetExternalIPAddress "$f")
echo "$out" | grep -q "HTTP[45]00" && alive && pass "random bytes as SOAP: an error, the daemon answers" ||
	fail "random bytes as SOAP" "$(oneline "$out")"

# --- IGD:1 lease 0: permanent (604800 s, renewed by the SMAP) ---------------------
URN1=urn:schemas-upnp-org:service:WANIPConnection:1
key='<NewRemoteHost></NewRemoteHost><NewExternalPort>10777</NewExternalPort><NewProtocol>TCP</NewProtocol>'
f=$(tmpfile); envelope AddPortMapping "$key<NewInternalPort>7777</NewInternalPort><NewInternalClient>$H11</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>igd1</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration>" 1 >"$f"
out=$(soap AddPortMapping "$f" "$URN1")
f1=$(tmpfile); envelope GetSpecificPortMappingEntry "$key" 1 >"$f1"
f2=$(tmpfile); envelope GetSpecificPortMappingEntry "$key" 2 >"$f2"
l1=$(soap GetSpecificPortMappingEntry "$f1" "$URN1" | sed -n 's/.*<NewLeaseDuration>\([0-9]*\)<.*/\1/p')
l2=$(soap GetSpecificPortMappingEntry "$f2" | sed -n 's/.*<NewLeaseDuration>\([0-9]*\)<.*/\1/p')
if echo "$out" | grep -q "HTTP200" && [ "$l1" = 0 ] && [ -n "$l2" ] && [ "$l2" -gt 604000 ] && [ "$l2" -le 604800 ]; then
	pass "IGD:1 lease 0: reported 0 to IGD:1, $l2 s to IGD:2 (the 604800 s maximum)"
else
	fail "IGD:1 lease 0 as 604800 s" "add: $(oneline "$out"); IGD:1 lease '$l1', IGD:2 lease '$l2'"
fi

# --- counters ------------------------------------------------------------------
actions=$(smap_stat 1 upnp_actions 2>/dev/null || echo 0)
unknown=$(smap_stat 1 upnp_unknown_action 2>/dev/null || echo 0)
[ "$actions" -gt 20 ] && [ "$unknown" -ge 1 ] &&
	pass "smap stats: upnp_actions $actions, upnp_unknown_action $unknown" ||
	fail "smap stats counts UPnP actions" "upnp_actions '$actions', upnp_unknown_action '$unknown'"
