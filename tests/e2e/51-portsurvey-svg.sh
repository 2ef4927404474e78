#!/bin/bash
# SPDX-License-Identifier: MIT
# 51-portsurvey-svg: the SVG chart of `portsurvey --svg` is well-formed,
# holds one series per class and per host, and renders in a browser
# (headless Chromium; SKIP if it is not installed). Works from the
# study's snapshot fixtures: needs no root and no namespaces.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${AP_BIN:-$ROOT/build/bin}/portsurvey
PY=${PYTHON:-/usr/bin/python3}
FIX=$ROOT/tests/fixtures/portsurvey
TMP=$(mktemp -d /tmp/aps-portsurvey-svg.XXXXXX)
N_FAIL=0
N_PASS=0
trap 'rm -rf "$TMP"' EXIT

pass() { N_PASS=$((N_PASS + 1)); echo "PASS: $1"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "FAIL: $1: $2"; }

if ! "$BIN" -q --from "$FIX"/study-[1-4].txt --svg "$TMP/study.svg" \
    --class dns=udp/53,tcp/53 --class http=tcp/80 --class https=tcp/443 \
    >/dev/null 2>"$TMP/err"; then
	fail "portsurvey --svg" "$(head -2 "$TMP/err" | tr '\n' ' ')"
	exit 1
fi

if out=$("$PY" - "$TMP/study.svg" <<'PY' 2>&1
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
if root.tag != ns + "svg": sys.exit("root is %s" % root.tag)
lines = {p.get("data-series"): p.get("points") for p in root.iter(ns + "polyline")}
want = ["total", "class:dns", "class:http", "class:https", "class:other",
	"host:192.168.1.10", "host:192.168.1.11", "host:10.0.0.5", "host:192.0.2.1"]
if sorted(lines) != sorted(want): sys.exit("series %s" % sorted(lines))
for name, pts in lines.items():
	if len(pts.split()) != 4: sys.exit("%s has %d points, want 4" % (name, len(pts.split())))
# higher values are drawn higher: the total's third point is above its first
y = [float(p.split(",")[1]) for p in lines["total"].split()]
if not y[2] < y[0]: sys.exit("total y %s" % y)
PY
); then
	pass "SVG is well-formed XML with one series per class and per host"
else
	fail "SVG is well-formed XML with one series per class and per host" "$out"
fi

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
	echo "SKIP: SVG renders in headless Chromium: chromium not installed (scripts/install-deps)"
else
	# a blank page of the same size is the baseline: the chart must add ink
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="600"><rect width="100%%" height="100%%" fill="#fff"/></svg>\n' >"$TMP/blank.svg"
	for f in study blank; do
		(cd "$TMP" && timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
		    --disable-background-networking --hide-scrollbars \
		    --user-data-dir="$TMP/profile" --window-size=960,600 \
		    --screenshot="$TMP/$f.png" "file://$TMP/$f.svg") >/dev/null 2>&1
	done
	if out=$("$PY" - "$TMP/study.png" "$TMP/blank.png" <<'PY' 2>&1
import os, struct, sys
for f in sys.argv[1:]:
	if not os.path.exists(f): sys.exit("%s not written" % f)
	d = open(f, "rb").read(24)
	if d[:8] != b"\x89PNG\r\n\x1a\n": sys.exit("%s is not a PNG" % f)
	w, h = struct.unpack(">II", d[16:24])
	if (w, h) != (960, 600): sys.exit("%s is %dx%d" % (f, w, h))
chart, blank = (os.path.getsize(f) for f in sys.argv[1:])
if chart < 5 * blank or chart < 10000: sys.exit("chart PNG %d bytes, blank %d" % (chart, blank))
PY
	); then
		pass "SVG renders in headless Chromium ($(stat -c %s "$TMP/study.png") bytes of PNG)"
	else
		fail "SVG renders in headless Chromium" "$out"
	fi
fi
echo "# 51-portsurvey-svg: $N_PASS passed, $N_FAIL failed"
[ "$N_FAIL" = 0 ]
