#!/bin/bash
# SPDX-License-Identifier: MIT
# FTP from a LAN host through the SMAP, to a server in ap-inet: passive
# (EPSV, PASV) and active (EPRT, PORT), download and upload. Active mode
# goes through the SMAP's FTP ALG, which announces a port of the set.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }
"$PYTHON" -c 'import pyftpdlib' 2>/dev/null || { fail "pyftpdlib" "python3-pyftpdlib missing (scripts/install-deps)"; exit 1; }

ROOTDIR=$E2E_TMP/ftp
mkdir -p "$ROOTDIR"
chmod 777 "$ROOTDIR"
head -c 3000000 /dev/urandom >"$ROOTDIR/file.bin"
SUM=$(sha256sum <"$ROOTDIR/file.bin" | cut -d' ' -f1)
LOG=$E2E_TMP/ftpd.log
bg ap-inet sh -c "exec '$PYTHON' -m pyftpdlib -p 21 -w -d '$ROOTDIR' 2>'$LOG'"
wait_for -t 10 sh -c "'$TESTBED' exec ap-inet ss -ltn | grep -q ':21 '" ||
	{ fail "FTP server starts in ap-inet" "$(oneline "$(cat "$LOG")")"; exit 1; }

# ftp NAME CURL-OPTIONS...: download file.bin, compare
ftp_get() {
	local name=$1 out; shift
	out=$E2E_TMP/get.$RANDOM
	if tb ap-h11 curl -s --max-time 20 "$@" -o "$out" "ftp://$INET/file.bin" &&
	    [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$SUM" ]; then
		pass "$name: 3 MB download, sha256 matches"
	else
		fail "$name: 3 MB download, sha256 matches" "curl $* -> $(oneline "$(tail -3 "$LOG")")"
	fi
}

ftp_get "passive (EPSV)"
ftp_get "passive (PASV)" --disable-epsv
ftp_get "active (EPRT)" -P -
ftp_get "active (PORT)" -P - --disable-eprt

up=$E2E_TMP/up.bin
head -c 1000000 /dev/urandom >"$up"
if tb ap-h11 curl -s --max-time 20 -P - --disable-eprt -T "$up" "ftp://$INET/up.bin" &&
    cmp -s "$up" "$ROOTDIR/up.bin"; then
	pass "active (PORT): 1 MB upload arrives intact"
else
	fail "active (PORT): 1 MB upload arrives intact" "$(oneline "$(tail -3 "$LOG")")"
fi

# every control connection came from 192.0.2.1 and a port of smap1's set
ports=$("$PYTHON" -c '
import json, re, sys
print(json.dumps([int(m.group(2)) for m in re.finditer(r"(\d+\.\d+\.\d+\.\d+):(\d+)-\[\] FTP session opened", open(sys.argv[1]).read()) if m.group(1) == "192.0.2.1"]))' "$LOG")
if in_range "$ports" 10000 10999 && [ "$("$PYTHON" -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$ports")" = 5 ]; then
	pass "the FTP server saw 5 sessions from 192.0.2.1, ports $ports"
else
	fail "the FTP server saw 5 sessions from 192.0.2.1 in 10000-10999" "$ports"
fi

# PORT/EPRT toward anyone but the client itself is refused by the ALG:
# otherwise a LAN host could make the SMAP connect to 127.0.0.1 or to
# another LAN host on its behalf
port_to() {	# port_to COMMAND: the reply to COMMAND after an anonymous login
	tb ap-h11 "$PYTHON" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 21), timeout=10)
f = s.makefile("rb")
def reply():
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line.decode().strip()
reply()
for cmd in ("USER anonymous", "PASS x", sys.argv[2]):
    s.sendall(cmd.encode() + b"\r\n")
    r = reply()
print(r)' "$INET" "$1"
}
before=$(smap_stat 1 ftp_port_refused)
r1=$(port_to "PORT 127,0,0,1,39,16")
r2=$(port_to "EPRT |1|192.168.1.11|10000|")
r3=$(port_to "PORT 192,168,1,10,39,16")
after=$(smap_stat 1 ftp_port_refused)
case "$r1|$r2" in
500*"|"500*) pass "PORT to 127.0.0.1 and EPRT to another LAN host refused (500)" ;;
*) fail "PORT to 127.0.0.1 and EPRT to another LAN host refused (500)" "$r1 / $r2" ;;
esac
case "$r3" in
200*) pass "PORT to the client's own address still accepted ($r3)" ;;
*) fail "PORT to the client's own address still accepted" "$r3" ;;
esac
check "ftp_port_refused counted both ($before -> $after)" test "$after" = $((before + 2))
