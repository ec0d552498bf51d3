#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTTP server of the real `lumen serve` against hostile clients.

    hostile_http.py LUMEN

Runs the daemon twice on loopback (free ports, the small t31-sc2336 board
with one small channel to spare the CPU):

1. no credentials configured (the default): viewing works; GET
   /api/v1/set is 405 and changes nothing; a POST is 403 with a message
   naming `lumen passwd`; NUL bytes (raw or %00, in path, argument or
   header), HTTP/1.1 without Host, Content-Length with Transfer-Encoding
   (and the request pipelined behind it never runs), over-long targets
   (414); a header sent a byte a second and an idle keep-alive connection
   are both closed within the 10 s header deadline; 120 idle sockets and
   byte-a-second drippers from 127.0.0.2, then idle sockets from four more
   addresses, do not stop a client on 127.0.0.1 being served within 2 s.
2. credentials written by `lumen passwd`: every path answers 401 (with
   Digest SHA-256, MD5 and Basic challenges) without them; Basic with the
   right ones works, wrong ones do not; /api/v1/config hides the HA1s;
   cross-site POSTs (foreign Origin or Referer, no X-Lumen-Request) are
   403; a right POST saves the file; a new password set through the API
   applies at once and is stored only as HA1s; auth.metrics_public opens
   /metrics alone; Digest SHA-256 and MD5 (RFC 7616, computed here) pass,
   and another connection's nonce gets stale=true (browsers retry then).
3. HTTPS (http.tls_cert/tls_key, a self-signed certificate from openssl):
   a missing key and a certificate given as key stop the start with the
   key named; curl --cacert works with Basic and Digest, 401 without; plain
   HTTP on that port gets no HTTP answer.

Every failure prints what and the daemon's log, exit 1; 77 when the
loopback addresses 127.0.0.2.. cannot be bound.
"""
import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

LUMEN = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="lumen-hostile-")
SMALL = """board:
  name: "t31-sc2336"
video0:
  width: 320
  height: 180
  bitrate_kbps: 256
video1:
  enabled: false
jpeg:
  width: 320
  height: 180
"""
srv = None
failed = False


def log_tail():
    try:
        with open(os.path.join(TMP, "srv.err"), errors="replace") as f:
            return "".join(f.readlines()[-20:])
    except OSError:
        return ""


def fail(what):
    print("FAIL: " + what)
    print("--- lumen serve stderr:\n" + log_tail())
    stop()
    sys.exit(1)


def ok(what):
    print("ok: " + what)


def free_ports(n):
    ss = [socket.socket() for _ in range(n)]
    for s in ss:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in ss]
    for s in ss:
        s.close()
    return ports


def start(cfg):
    """Starts the daemon on two free ports. The kernel's pick races with the
    other tests running in parallel: a daemon that exits because a port was
    taken meanwhile is started again on fresh ports (at most 5 times)."""
    global srv, PORT
    for attempt in range(5):
        rport, PORT = free_ports(2)
        out = open(os.path.join(TMP, "srv.out"), "w")
        err = open(os.path.join(TMP, "srv.err"), "w")
        srv = subprocess.Popen([LUMEN, "serve", "--foreground", "--config", cfg,
                                "--rtsp-port", str(rport), "--http-port", str(PORT)],
                               stdout=out, stderr=err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(os.path.join(TMP, "srv.out")) as f:
                if "(web page)" in f.read():
                    return
            if srv.poll() is not None:
                break
            time.sleep(0.1)
        else:
            fail("lumen serve did not print its URLs in 30 s")
        with open(os.path.join(TMP, "srv.err")) as f:
            why = f.read()
        if "Address already in use" not in why:
            fail("lumen serve exited at start (%d): %s" % (srv.returncode, why[-300:]))
        print("note: a port was taken meanwhile (%s); new ports" % why.strip()[-80:])
    fail("lumen serve found no free port in 5 attempts")


def stop():
    global srv
    if srv and srv.poll() is None:
        srv.terminate()
        try:
            srv.wait(10)
        except subprocess.TimeoutExpired:
            srv.kill()
    srv = None


def connect(src="127.0.0.1", timeout=5.0):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", PORT))
    return s


def raw(data, src="127.0.0.1", timeout=5.0):
    """Sends @data, reads until the server closes or @timeout: (status,
    everything read, closed)."""
    s = connect(src, timeout)
    s.sendall(data)
    got, closed = b"", False
    try:
        while True:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            got += b
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
    return (int(m.group(1)) if m else 0), got, closed


def request(method, path, headers=None, body=b"", src="127.0.0.1", timeout=5.0):
    """One request with Connection: close: (status, headers list, body)."""
    h = {"Host": "127.0.0.1:%d" % PORT, "Connection": "close"}
    h.update(headers or {})
    if body or method in ("POST", "PUT"):
        h["Content-Length"] = str(len(body))
    head = "%s %s HTTP/1.1\r\n" % (method, path)
    head += "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    status, got, _ = raw(head.encode() + body, src, timeout)
    head, _, rbody = got.partition(b"\r\n\r\n")
    hdrs = [tuple(x.split(": ", 1)) for x in head.decode(errors="replace").split("\r\n")[1:]
            if ": " in x]
    return status, hdrs, rbody


def basic(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (user, pw)).encode()).decode()}


def expect(what, got, want):
    if got != want:
        fail("%s: got %s, want %s" % (what, got, want))


def config_json(auth=None):
    st, _, b = request("GET", "/api/v1/config", auth)
    expect("GET /api/v1/config", st, 200)
    return json.loads(b)


# ---- 1. no credentials -------------------------------------------------------
try:
    socket.socket().bind(("127.0.0.5", 0))
except OSError:
    print("SKIP: cannot bind 127.0.0.2..5 (no loopback /8)")
    sys.exit(77)
cfg = os.path.join(TMP, "lumen.yaml")
with open(cfg, "w") as f:
    f.write(SMALL)
start(cfg)
T0 = time.monotonic()


def thread_ticks(name):
    """utime+stime (clock ticks) of the server's thread called @name. A
    thread names itself when it starts, which may come after the daemon
    printed its URLs (a sanitizer build is slow): waits up to 10 s for it."""
    deadline = time.monotonic() + 10
    while True:
        for t in os.listdir("/proc/%d/task" % srv.pid):
            try:
                with open("/proc/%d/task/%s/comm" % (srv.pid, t)) as f:
                    if f.read().strip() != name:
                        continue
                with open("/proc/%d/task/%s/stat" % (srv.pid, t)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue    # a thread that ended meanwhile
            return int(fields[11]) + int(fields[12])
        if time.monotonic() > deadline:
            fail("no thread named %s in lumen serve after 10 s" % name)
        time.sleep(0.05)


# the header watchdog sleeps between its four checks a second: over 2 s
# it may not use more than 20 ms (a wait on the wrong clock made it spin)
w0 = thread_ticks("http-watchdog")
time.sleep(2)
w1 = thread_ticks("http-watchdog")
if (w1 - w0) * 1000 // os.sysconf("SC_CLK_TCK") > 20:
    fail("the HTTP watchdog used %d ticks in 2 s idle" % (w1 - w0))
ok("the HTTP watchdog sleeps (%d ticks in 2 s)" % (w1 - w0))

st, _, _ = request("GET", "/api/v1/status")
expect("no credentials: GET /api/v1/status (viewing is open)", st, 200)
st, hd, _ = request("GET", "/api/v1/set?auth.user=evil&auth.password=evil")
expect("GET /api/v1/set", st, 405)
expect("GET /api/v1/set: Allow", dict(hd).get("Allow"), "POST, PUT")
st, _, _ = request("GET", "/api/v1/set?video0.bitrate_kbps=2048")
expect("GET /api/v1/set?video0.bitrate_kbps", st, 405)
st, _, b = request("POST", "/api/v1/set?auth.user=evil&auth.password=evil",
                   {"X-Lumen-Request": "1"})
expect("no credentials: POST /api/v1/set", st, 403)
if b"lumen passwd" not in b:
    fail("403 without credentials does not say to run lumen passwd: %r" % b)
st, _, b = request("PUT", "/api/v1/set?video0.bitrate_kbps=2048",
                   {"X-Lumen-Request": "1", "Origin": "http://127.0.0.1:%d" % PORT})
expect("no credentials: PUT /api/v1/set", st, 403)
c = config_json()
expect("auth.user after the attempts", c["auth"]["user"], "")
expect("video0.bitrate_kbps after the attempts", c["video0"]["bitrate_kbps"], 256)
if "password" in open(cfg).read() or "evil" in open(cfg).read():
    fail("the config file changed: " + open(cfg).read())
ok("no credentials: viewing open; GET set 405, POST/PUT set 403 'run lumen passwd'; "
   "nothing changed")

# strictness
H = b"Host: 127.0.0.1\r\nConnection: close\r\n"
for what, req, want in [
        ("%00 in the path", b"GET /image.jpg%00.html HTTP/1.1\r\n" + H + b"\r\n", 400),
        ("%00 in an argument", b"GET /api/v1/status?format=json%00junk HTTP/1.1\r\n" + H +
         b"\r\n", 400),
        ("raw NUL in the path", b"GET /api/v1/sta\0tus HTTP/1.1\r\n" + H + b"\r\n", 400),
        ("raw NUL in a header", b"GET /api/v1/status HTTP/1.1\r\nX-A: a\0b\r\n" + H +
         b"\r\n", 400),
        ("raw NUL in the last header", b"GET /api/v1/status HTTP/1.1\r\n" + H +
         b"X-A: a\0b\r\n\r\n", 400),
        ("HTTP/1.1 without Host", b"GET /api/v1/status HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", b"GET /api/v1/status HTTP/1.1\r\nHost: a\r\n" + H + b"\r\n",
         400),
        ("a 5 KB target", b"GET /api/v1/status?x=" + b"a" * 5000 + b" HTTP/1.1\r\n" + H +
         b"\r\n", 414),
        ("a 25 KB target", b"GET /api/v1/status?x=" + b"a" * 25000 + b" HTTP/1.1\r\n" + H +
         b"\r\n", 414),
        ("a target not starting with /", b"GET api/v1/status HTTP/1.1\r\n" + H + b"\r\n",
         400),
        ("Transfer-Encoding: gzip", b"POST /api/v1/set HTTP/1.1\r\n" + H +
         b"Transfer-Encoding: gzip\r\n\r\n", 501),
]:
    st, got, closed = raw(req)
    expect(what, st, want)
    if not closed:
        fail(what + ": connection not closed after the error")
smuggle = (b"POST /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
           b"GET /api/v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
st, got, closed = raw(smuggle)
expect("Content-Length with Transfer-Encoding", st, 400)
if not closed or got.count(b"HTTP/1.1 ") != 1:
    fail("Content-Length with Transfer-Encoding: the pipelined request ran or the "
         "connection stayed open: %r" % got[:300])
st, _, _ = request("GET", "/api/v1/status")
expect("after the malformed requests: /api/v1/status", st, 200)
ok("strict: NUL (raw and %00, path, argument, header) 400, no Host 400, repeated Host "
   "400, CL+TE 400 and closed, 5 KB/25 KB target 414, TE gzip 501; still serving")


# slow header and idle keep-alive, in the background while the flood runs
slow_result = {}


def dripper(name, src, first=b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n"):
    """Sends @first then a byte a second; records when the server hung up."""
    t = time.monotonic()
    try:
        s = connect(src, 1.0)
        s.sendall(first)
        while time.monotonic() - t < 20:
            try:
                if s.recv(1024) == b"":
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
            try:
                s.send(b"X")
            except OSError:
                break
        s.close()
    except OSError:
        pass
    slow_result[name] = time.monotonic() - t


def keepalive(name):
    t = None
    s = connect("127.0.0.1", 20.0)
    s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
    t = time.monotonic()
    try:
        while s.recv(65536):
            pass
    except (socket.timeout, ConnectionResetError):
        pass
    slow_result[name] = time.monotonic() - t
    s.close()


threads = [threading.Thread(target=dripper, args=("slow header", "127.0.0.1")),
           threading.Thread(target=keepalive, args=("idle keep-alive",))]
for t in threads:
    t.start()

# floods: 120 idle sockets and 10 drippers from 127.0.0.2, then 12 idle
# sockets from each of 127.0.0.3..6 (past the eviction point) -- and a
# client on 127.0.0.1 is served within 2 s each time
hold = []
for i in range(120):
    try:
        hold.append(connect("127.0.0.2", 2.0))
    except OSError:
        pass
drips = [threading.Thread(target=dripper, args=("drip%d" % i, "127.0.0.2"))
         for i in range(10)]
for t in drips:
    t.start()
time.sleep(0.5)	# let the server take them all in before the client comes
for attempt in range(3):
    t = time.monotonic()
    st, _, _ = request("GET", "/api/v1/status", timeout=2.0)
    took = time.monotonic() - t
    if st != 200 or took > 2.0:
        fail("120 idle + 10 drippers from 127.0.0.2: client on 127.0.0.1 got %d in "
             "%.2f s" % (st, took))
ok("120 idle sockets + 10 drippers from 127.0.0.2: 127.0.0.1 served in %.2f s" % took)
for a in range(3, 7):
    for i in range(12):
        try:
            hold.append(connect("127.0.0.%d" % a, 2.0))
        except OSError:
            pass
time.sleep(0.5)
for attempt in range(3):
    t = time.monotonic()
    st, _, _ = request("GET", "/api/v1/status", timeout=2.0)
    took = time.monotonic() - t
    if st != 200 or took > 2.0:
        fail("+48 idle sockets from 127.0.0.3..6: client on 127.0.0.1 got %d in %.2f s"
             % (st, took))
st, _, b = request("GET", "/metrics")
m = re.search(rb"^lumen_http_evicted_total (\d+)", b, re.M)
if st != 200 or not m or int(m.group(1)) < 1:
    fail("no eviction counted after the floods: %r" % (m and m.group(0)))
ok("+12 idle sockets from each of 127.0.0.3..6: %s evicted, 127.0.0.1 served in %.2f s"
   % (m.group(1).decode(), took))

for t in threads + drips:
    t.join(25)
for name in ("slow header", "idle keep-alive"):
    if not 8.0 <= slow_result.get(name, 99) <= 12.5:
        fail("%s: closed after %.1f s, want about 10 s (the header deadline)"
             % (name, slow_result.get(name, 99)))
late = [n for n, v in slow_result.items() if n.startswith("drip") and v > 12.5]
if late:
    fail("drippers from 127.0.0.2 kept their connection past 12.5 s: %s" % late)
ok("a header at 1 byte/s closed after %.1f s, an idle keep-alive after %.1f s"
   % (slow_result["slow header"], slow_result["idle keep-alive"]))
for s in hold:
    s.close()
stop()

# ---- 2. credentials -------------------------------------------------------------
p = subprocess.run([LUMEN, "passwd", "--config", cfg, "admin"], input=b"s3cret\n",
                   capture_output=True)
if p.returncode:
    fail("lumen passwd: %d %r" % (p.returncode, p.stderr))
text = open(cfg).read()
if "s3cret" in text or "ha1_sha256" not in text or "320" not in text:
    fail("lumen passwd wrote: " + text)
start(cfg)
ADMIN = basic("admin", "s3cret")
for path in ("/", "/index.html", "/image.jpg", "/mjpeg", "/api/v1/status",
             "/api/v1/status?format=text", "/api/v1/config", "/metrics", "/api/v1/other",
             "/nowhere"):
    st, hd, _ = request("GET", path)
    expect("credentials, no Authorization: GET " + path, st, 401)
    chal = [v for k, v in hd if k.lower() == "www-authenticate"]
    if (len(chal) != 3 or not chal[0].startswith("Digest ") or "SHA-256" not in chal[0]
            or "MD5" not in chal[1] or not chal[2].startswith("Basic ")):
        fail("GET %s: challenges %s" % (path, chal))
st, _, _ = request("GET", "/api/v1/status", basic("admin", "wrong"))
expect("wrong password", st, 401)
st, _, _ = request("GET", "/api/v1/status", basic("root", "s3cret"))
expect("wrong user", st, 401)
st, _, _ = request("GET", "/api/v1/status", {"Authorization": "Basic !!!"})
expect("malformed Basic", st, 401)
for path in ("/", "/api/v1/status", "/api/v1/config", "/metrics"):
    st, _, _ = request("GET", path, ADMIN)
    expect("Basic admin: GET " + path, st, 200)
c = config_json(ADMIN)
if c["auth"]["ha1_md5"] != "set" or c["auth"]["ha1_sha256"] != "set" or \
        c["auth"]["user"] != "admin":
    fail("/api/v1/config shows auth as %s" % c["auth"])
ok("credentials: 10 paths 401 with SHA-256, MD5 and Basic challenges; wrong user, "
   "password, malformed 401; Basic right 200; config shows HA1s as 'set'")

SET = "/api/v1/set?video0.bitrate_kbps=300"
MARK = {"X-Lumen-Request": "1"}
for what, hdrs, want in [
        ("GET", None, 405),
        ("no X-Lumen-Request", {}, 403),
        ("Origin evil", dict(MARK, Origin="http://evil.example"), 403),
        ("Origin null", dict(MARK, Origin="null"), 403),
        ("Origin of another port", dict(MARK, Origin="http://127.0.0.1:1"), 403),
        ("Referer evil", dict(MARK, Referer="http://evil.example/x"), 403),
        ("Referer with our host as prefix", dict(
            MARK, Referer="http://127.0.0.1:%d.evil.example/" % PORT), 403),
        ("form Content-Type", {"Content-Type": "application/x-www-form-urlencoded"}, 403),
]:
    hd = dict(ADMIN, **(hdrs or {}))
    st, _, b = request("GET" if what == "GET" else "POST", SET, hd)
    expect("authenticated POST set, " + what, st, want)
if "300" in open(cfg).read():
    fail("a refused set reached the file")
st, _, b = request("POST", SET, dict(ADMIN, Origin="http://127.0.0.1:%d" % PORT, **MARK))
expect("POST set from our own Origin", st, 200)
st, _, b = request("POST", "/api/v1/set?video0.bitrate_kbps=301",
                   dict(ADMIN, Referer="http://127.0.0.1:%d/" % PORT,
                        **{"Content-Type": "application/json"}))
expect("POST set with a JSON Content-Type and our Referer", st, 200)
if "bitrate_kbps: 301" not in open(cfg).read():
    fail("the set did not reach the file")
st, _, _ = request("POST", SET, MARK)
expect("POST set without credentials", st, 401)
ok("cross-site: GET 405; no mark, foreign/null Origin, foreign Referer, form type 403; "
   "own Origin/Referer with the mark 200 and saved; no credentials 401")

st, _, b = request("POST", "/api/v1/set?auth.user=admin", dict(ADMIN, **MARK))
expect("auth.user alone", st, 400)
st, _, b = request("POST", "/api/v1/set?auth.user=admin&auth.password=n3w%20pass",
                   dict(ADMIN, **MARK))
expect("new password through the API", st, 200)
st, _, _ = request("GET", "/api/v1/status", ADMIN)
expect("old password after the change", st, 401)
NEW = basic("admin", "n3w pass")
st, _, _ = request("GET", "/api/v1/status", NEW)
expect("new password after the change", st, 200)
text = open(cfg).read()
if "n3w" in text or "password" in text:
    fail("the new password is in the file: " + text)
ok("auth.password through the API: hashed, applies at once, old one refused, "
   "not stored in plain text")

st, _, _ = request("POST", "/api/v1/set?auth.metrics_public=true", dict(NEW, **MARK))
expect("set auth.metrics_public", st, 200)
st, _, b = request("GET", "/metrics")
expect("auth.metrics_public: /metrics without credentials", st, 200)
st, _, _ = request("GET", "/api/v1/status")
expect("auth.metrics_public: /api/v1/status without credentials", st, 401)
ok("auth.metrics_public opens /metrics and nothing else")


def digest(alg, path, user="admin", pw="n3w pass"):
    """RFC 7616 Digest with qop=auth for GET @path, on one connection
    (the nonce is bound to it): (status of the challenge, of the answer)."""
    H = hashlib.sha256 if alg == "SHA-256" else hashlib.md5
    s = connect()
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    got = b""
    while b"401 Unauthorized\n" not in got:
        b = s.recv(65536)
        if not b:
            break
        got += b
    chal = [ln for ln in got.decode().split("\r\n") if ln.lower().startswith(
        "www-authenticate: digest") and ("algorithm=" + alg) in ln]
    if not chal:
        return 0, 0
    f = dict(re.findall(r'(\w+)="?([^",]*)"?', chal[0].split(" ", 2)[2]))
    ha1 = H(("%s:%s:%s" % (user, f["realm"], pw)).encode()).hexdigest()
    ha2 = H(("GET:%s" % path).encode()).hexdigest()
    cn = "0a4f113b"
    resp = H(("%s:%s:00000001:%s:auth:%s" % (ha1, f["nonce"], cn, ha2)).encode()).hexdigest()
    a = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, '
         'qop=auth, nc=00000001, cnonce="%s", response="%s", opaque="%s"'
         % (user, f["realm"], f["nonce"], path, alg, cn, resp, f.get("opaque", "")))
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
               "Connection: close\r\n\r\n" % (path, a)).encode())
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    m = re.match(rb"HTTP/1\.1 (\d+)", got)
    return 401, int(m.group(1)) if m else 0


for alg in ("SHA-256", "MD5"):
    expect("Digest %s" % alg, digest(alg, "/api/v1/status?format=json"), (401, 200))
    expect("Digest %s, wrong password" % alg,
           digest(alg, "/api/v1/status", pw="nope"), (401, 401))
ok("Digest SHA-256 and MD5: right 200, wrong 401")

# Digest as browsers use it: a nonce from one connection on another gets
# stale=true (retry at once), not a plain refusal (which asks the user)
s1 = connect()
s1.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
got = b""
while b"401 Unauthorized\n" not in got:
    got += s1.recv(65536)
s1.close()
nonce = re.search(rb'algorithm=MD5, nonce="([0-9a-f]+)"', got).group(1).decode()
ha1 = hashlib.md5(b"admin:lumen:n3w pass").hexdigest()
ha2 = hashlib.md5(b"GET:/api/v1/status").hexdigest()
resp = hashlib.md5(("%s:%s:00000001:c0ffee:auth:%s" % (ha1, nonce, ha2)).encode()).hexdigest()
st, hd, _ = request("GET", "/api/v1/status", {"Authorization": (
    'Digest username="admin", realm="lumen", nonce="%s", uri="/api/v1/status", '
    'algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee", response="%s"' % (nonce, resp))})
chal = [v for k, v in hd if k.lower() == "www-authenticate" and "Digest" in v]
if st != 401 or not chal or "stale=true" not in chal[0]:
    fail("another connection's nonce: %d %s, want 401 with stale=true" % (st, chal))
ok("Digest: another connection's nonce gets 401 with stale=true")
stop()

# ---- 3. HTTPS ------------------------------------------------------------------------
key, crt = os.path.join(TMP, "key.pem"), os.path.join(TMP, "cert.pem")
if subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                   "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                   "-keyout", key, "-out", crt], capture_output=True).returncode:
    fail("openssl could not make a self-signed certificate")
text = open(cfg).read().replace('tls_cert: ""', 'tls_cert: "%s"' % crt)
open(cfg, "w").write(text.replace('tls_key: ""', 'tls_key: "%s"' % os.path.join(TMP, "no.pem")))
rport, hport = free_ports(2)
p = subprocess.run([LUMEN, "serve", "--foreground", "--config", cfg, "--rtsp-port",
                    str(rport), "--http-port", str(hport)], capture_output=True, timeout=30)
if p.returncode == 0 or b"http.tls_key" not in p.stderr or b"no.pem" not in p.stderr:
    fail("a missing TLS key: exit %d, %r" % (p.returncode, p.stderr[-300:]))
open(cfg, "w").write(text.replace('tls_key: ""', 'tls_key: "%s"' % crt))  # a cert is no key
p = subprocess.run([LUMEN, "serve", "--foreground", "--config", cfg, "--rtsp-port",
                    str(rport), "--http-port", str(hport)], capture_output=True, timeout=30)
if p.returncode == 0 or b"HTTPS" not in p.stderr:
    fail("a certificate as TLS key: exit %d, %r" % (p.returncode, p.stderr[-300:]))
open(cfg, "w").write(text.replace('tls_key: ""', 'tls_key: "%s"' % key))
start(cfg)
if "https://127.0.0.1:%d/  (web page)" % PORT not in open(os.path.join(TMP, "srv.out")).read():
    fail("the printed URL is not https://")
curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
        "--cacert", crt]
for what, args, want in [
        ("https with credentials", ["-u", "admin:n3w pass"], "200"),
        ("https without credentials", [], "401"),
        ("https, Digest", ["--digest", "-u", "admin:n3w pass"], "200")]:
    got = subprocess.run(curl + args + ["https://127.0.0.1:%d/api/v1/status" % PORT],
                         capture_output=True).stdout.decode()
    expect(what, got, want)
got = subprocess.run(curl + ["http://127.0.0.1:%d/api/v1/status" % PORT],
                     capture_output=True).stdout.decode()
if got in ("200", "401"):
    fail("plain HTTP on the HTTPS port answered %s" % got)
ok("HTTPS: missing key and a cert as key refused at start with the key named; curl "
   "--cacert with Basic 200, Digest 200, none 401; plain HTTP gets no answer")
stop()
print("hostile_http: all passed in %.1f s" % (time.monotonic() - T0))
