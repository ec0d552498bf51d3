#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile clients against lumen's RTSP server (tests/rtsp_serve_file).

Each check is a probe of issue 19 that the server before it failed:
  - a --password without a --user is refused instead of serving openly
  - credentials set while serving (lumen_rtsp_set_creds from another
    thread) apply to the next request, also on an open connection
  - Digest: SHA-256 then MD5 challenge; a captured header is refused when
    replayed (same nc), on a new connection, or for another path; an
    expired nonce gets stale=true; every method but OPTIONS, on every
    path and alias, needs it
  - a session is controlled only from its own connection (454 elsewhere)
  - 120 idle sockets and 1-byte-per-second drippers from 127.0.0.2 do not
    stop a client on 127.0.0.1 from OPTIONS/DESCRIBE/SETUP/PLAY and RTP
    within 2 s; a request still incomplete header-ms after its first byte
    closes its connection
  - UDP sessions that never PLAY are freed within setup-ms
  - NUL, over-long URI, bad client_port, missing CSeq, two Content-Length,
    bad versions are refused with the right status; folded headers work
Usage: hostile_rtsp.py path/to/rtsp_serve_file
"""
import hashlib
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

SERVE = sys.argv[1]
USER, PASSWORD = "viewer", "s3cret-pass"
HEADER_MS, SETUP_MS, NONCE_TTL_S = 1500, 1500, 2
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def fixture(path):
    """An Annex-B stream the server can packetise: SPS, PPS, IDR every 25
    frames, P slices between (payloads without start codes)."""
    sps = bytes([0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x01, 0x40, 0x7B, 0x20])
    pps = bytes([0x68, 0xCE, 0x3C, 0x80])
    out = bytearray()
    for f in range(50):
        if f % 25 == 0:
            out += b"\0\0\0\1" + sps + b"\0\0\0\1" + pps
            out += b"\0\0\0\1" + bytes([0x65, 0x88]) + bytes((i % 255) + 1 for i in range(3000))
        else:
            out += b"\0\0\0\1" + bytes([0x41, 0x9A]) + bytes((i * 7 % 255) + 1 for i in range(600))
    with open(path, "wb") as f:
        f.write(out)


class Server:
    def __init__(self, args):
        self.p = subprocess.Popen([SERVE] + args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_line(self, prefix, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=end - time.monotonic())
            except queue.Empty:
                break
            if line is None:
                return None
            if line.startswith(prefix):
                return line
        return None

    def command(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.wait_line("creds ")


def h(alg, s):
    return hashlib.new("sha256" if alg == "SHA-256" else "md5", s.encode()).hexdigest()


def parse_challenges(head):
    out = []
    for m in re.finditer(r"^WWW-Authenticate: Digest (.*)$", head, re.M | re.I):
        params = dict(re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', m.group(1)))
        out.append({k: v.strip('"') for k, v in params.items()})
    return out


class Client:
    """One RTSP connection; authenticates with Digest when asked."""

    def __init__(self, port, src="127.0.0.1", timeout=5):
        self.s = socket.socket()
        self.s.settimeout(timeout)
        self.s.bind((src, 0))
        self.s.connect(("127.0.0.1", port))
        self.buf = b""
        self.cseq = 0
        self.chal = None
        self.nc = 0

    def close(self):
        self.s.close()

    def skip_frames(self):
        """Drops interleaved '$' frames before a response."""
        while self.buf[:1] == b"$":
            while len(self.buf) < 4 or len(self.buf) < 4 + int.from_bytes(self.buf[2:4], "big"):
                d = self.s.recv(65536)
                if not d:
                    return
                self.buf += d
            self.buf = self.buf[4 + int.from_bytes(self.buf[2:4], "big"):]

    def read_response(self):
        self.skip_frames()
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                return None, ""
            self.buf += d
            self.skip_frames()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        m = re.search(r"^Content-Length: *(\d+)", text, re.M | re.I)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            d = self.s.recv(65536)
            if not d:
                break
            rest += d
        self.buf = rest[n:]
        return int(text.split(" ")[1]), text

    def raw(self, data):
        self.s.sendall(data)
        return self.read_response()

    def auth(self, method, uri, alg=None):
        c = next(c for c in self.chal if alg is None or c["algorithm"] == alg)
        a = c["algorithm"]
        self.nc += 1
        nc, cnonce = "%08x" % self.nc, "c%d" % self.nc
        ha1 = h(a, "%s:%s:%s" % (USER, c["realm"], PASSWORD))
        resp = h(a, ":".join([ha1, c["nonce"], nc, cnonce, "auth", h(a, method + ":" + uri)]))
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, '
                'qop=auth, nc=%s, cnonce="%s", response="%s", opaque="%s"'
                % (USER, c["realm"], c["nonce"], uri, a, nc, cnonce, resp, c.get("opaque", "")))

    def ask(self, method, uri, headers=(), auth=False, alg=None, body=b""):
        """Sends one request; with auth, answers a 401 once (fresh nonce)."""
        for attempt in (0, 1):
            self.cseq += 1
            lines = ["%s %s RTSP/1.0" % (method, uri), "CSeq: %d" % self.cseq] + list(headers)
            if auth and self.chal:
                lines.append("Authorization: " + self.auth(method, uri, alg))
            if body:
                lines.append("Content-Length: %d" % len(body))
            st, head = self.raw(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            if st == 401 and auth and attempt == 0:
                self.chal = parse_challenges(head)
                self.nc = 0
                continue
            return st, head
        return st, head

    def session(self, head):
        m = re.search(r"^Session: *([^;\r\n]+)", head, re.M)
        return m.group(1) if m else None

    def rtp_frame(self, deadline):
        """The first interleaved '$' frame, or None by @deadline."""
        while time.monotonic() < deadline:
            while len(self.buf) >= 4 and self.buf[0:1] == b"$":
                n = int.from_bytes(self.buf[2:4], "big")
                if len(self.buf) < 4 + n:
                    break
                frame = self.buf[:4 + n]
                self.buf = self.buf[4 + n:]
                if frame[1] == 0:
                    return frame
            self.s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return None
            if not d:
                return None
            self.buf += d
        return None


def closed_by_peer(sock, timeout):
    """True when the server closes @sock within @timeout seconds."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def main():
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "fixture.h264")
    fixture(path)

    # --- a password without a user does not mean "open" ------------------
    r = subprocess.run([SERVE, path, "--password", PASSWORD, "--seconds", "1"],
                       capture_output=True, text=True, timeout=20)
    check(r.returncode != 0 and "port " not in r.stdout,
          "--password without --user refuses to serve (exit %d)" % r.returncode)

    srv = Server([path, "--fps", "25", "--size", "320x240", "--max-per-ip", "8",
                  "--header-ms", str(HEADER_MS), "--setup-ms", str(SETUP_MS),
                  "--nonce-ttl-s", str(NONCE_TTL_S)])
    line = srv.wait_line("port ")
    if not line:
        print("FAIL server did not start: " + srv.p.stderr.read())
        return 1
    port = int(line.split()[1])
    url = "rtsp://127.0.0.1:%d/ch0" % port
    try:
        run(srv, port, url)
    finally:
        srv.p.terminate()
        try:
            out, err = srv.p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            srv.p.kill()
            out, err = srv.p.communicate()
        print(out + err)
    print("wall time %.1f s" % (time.monotonic() - t_start))
    if failures:
        print("%d FAILED: %s" % (len(failures), "; ".join(failures)))
        return 1
    print("hostile rtsp: all passed")
    return 0


def run(srv, port, url):
    # --- credentials set while serving -----------------------------------
    a = Client(port)
    st, _ = a.ask("DESCRIBE", url)
    check(st == 200, "no credentials: DESCRIBE is open (%s)" % st)
    check(srv.command("creds %s %s" % (USER, PASSWORD)) == "creds ok",
          "set_creds from the harness's thread")
    st, head = a.ask("DESCRIBE", url)
    check(st == 401, "credentials set: the open connection's next DESCRIBE is 401 (%s)" % st)
    chal = parse_challenges(head)
    check([c.get("algorithm") for c in chal] == ["SHA-256", "MD5"],
          "two challenges, SHA-256 first then MD5: %s" % [c.get("algorithm") for c in chal])
    check(all(c.get("qop") == "auth" for c in chal), "challenges offer qop=auth")
    stale_conn, stale_chal, stale_t = Client(port), None, None

    # --- Digest -----------------------------------------------------------
    a.chal, a.nc = chal, 0
    hdr = a.auth("DESCRIBE", url, "SHA-256")
    st, _ = a.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 50\r\nAuthorization: %s\r\n\r\n"
                   % (url, hdr)).encode())
    check(st == 200, "SHA-256 Digest with qop=auth: 200 (%s)" % st)
    st, _ = a.ask("DESCRIBE", url, auth=True, alg="MD5")
    check(st == 200, "MD5 Digest: 200 (%s)" % st)
    st, _ = a.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 51\r\nAuthorization: %s\r\n\r\n"
                   % (url, hdr)).encode())
    check(st == 401, "the same header again (nc reused) on its connection: 401 (%s)" % st)
    b = Client(port)
    st, _ = b.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAuthorization: %s\r\n\r\n"
                   % (url, hdr)).encode())
    check(st == 401, "a captured header on a new connection: 401 (%s)" % st)
    other = url.replace("/ch0", "/stream=0")
    hdr2 = a.auth("DESCRIBE", url, "SHA-256")
    st, _ = a.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 52\r\nAuthorization: %s\r\n\r\n"
                   % (other, hdr2)).encode())
    check(st == 401, "a header for /ch0 sent for /stream=0: 401 (%s)" % st)
    bad = a.auth("DESCRIBE", url, "MD5").replace('response="', 'response="0')
    st, _ = a.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 53\r\nAuthorization: %s\r\n\r\n"
                   % (url, bad)).encode())
    check(st == 401, "a wrong response: 401 (%s)" % st)
    for path in ("/ch0", "/stream=0", "/stream0", "/ch0/", "/ch1", "/nope"):
        st, _ = b.ask("DESCRIBE", "rtsp://127.0.0.1:%d%s" % (port, path))
        check(st == 401, "DESCRIBE %s without credentials: 401 (%s)" % (path, st))
    for m in ("SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"):
        st, _ = b.ask(m, url + "/trackID=0", ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1",
                                              "Session: 0123456789ABCDEF"])
        check(st == 401, "%s without credentials: 401 (%s)" % (m, st))
    st, _ = b.ask("OPTIONS", url)
    check(st == 200, "OPTIONS stays open: 200 (%s)" % st)
    # the nonce for the stale check is taken now and answered at the end
    st, head = stale_conn.ask("DESCRIBE", url)
    stale_chal, stale_t = parse_challenges(head), time.monotonic()

    # --- sessions belong to their connection ------------------------------
    st, head = a.ask("SETUP", url + "/trackID=0",
                     ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1"], auth=True)
    sid = a.session(head)
    check(st == 200 and sid, "victim SETUP over TCP: 200 (%s)" % st)
    b.chal = None
    st, _ = b.ask("DESCRIBE", url, auth=True)
    check(st == 200, "attacker authenticates on its own connection (%s)" % st)
    st, _ = b.ask("SETUP", url + "/trackID=0",
                  ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1", "Session: " + sid], auth=True)
    check(st == 454, "SETUP with another connection's session: 454 (%s)" % st)
    for m in ("PLAY", "PAUSE", "GET_PARAMETER", "TEARDOWN"):
        st, _ = b.ask(m, url, ["Session: " + sid], auth=True)
        check(st == 454, "%s of another connection's session: 454 (%s)" % (m, st))
    st, _ = a.ask("PLAY", url, ["Session: " + sid], auth=True)
    check(st == 200, "the owner's PLAY: 200 (%s)" % st)
    check(a.rtp_frame(time.monotonic() + 2) is not None, "the owner receives RTP")
    st, _ = a.ask("PAUSE", url, ["Session: " + sid], auth=True)
    check(st == 200, "the owner's PAUSE: 200 (%s)" % st)
    udp_owner = Client(port)
    st, head = udp_owner.ask("SETUP", url + "/trackID=0",
                             ["Transport: RTP/AVP;unicast;client_port=50000-50001"], auth=True)
    usid = udp_owner.session(head)
    st2, _ = b.ask("PLAY", url, ["Session: %s" % usid], auth=True)
    check(st == 200 and st2 == 454, "PLAY of another connection's UDP session: 454 (%s)" % st2)
    b.close()
    udp_owner.close()

    # --- abandoned UDP SETUPs are reaped ---------------------------------
    ab = Client(port)
    ids = []
    for i in range(3):
        st, head = ab.ask("SETUP", url + "/trackID=0",
                          ["Transport: RTP/AVP;unicast;client_port=%d-%d" % (50010 + 2 * i,
                                                                            50011 + 2 * i)],
                          auth=True)
        ids.append((st, ab.session(head)))
    check([s for s, _ in ids] == [200, 200, 503],
          "two sessions per connection, the third SETUP: 503 (%s)" % [s for s, _ in ids])
    t0 = time.monotonic()
    gone = None
    while time.monotonic() - t0 < SETUP_MS / 1000 + 2:
        st, _ = ab.ask("GET_PARAMETER", url, ["Session: " + ids[0][1]], auth=True)
        if st == 454:
            gone = time.monotonic() - t0
            break
        time.sleep(0.1)
    check(gone is not None and gone >= SETUP_MS / 1000 - 0.3,
          "a UDP session never PLAYed is freed after ~%d ms (%s s)" % (SETUP_MS, gone))
    st, _ = ab.ask("SETUP", url + "/trackID=0",
                   ["Transport: RTP/AVP;unicast;client_port=50020-50021"], auth=True)
    check(st == 200, "its slot is free again: SETUP 200 (%s)" % st)
    ab.close()

    # --- idle sockets and drippers from 127.0.0.2 ------------------------
    idle = []
    for _ in range(120):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        idle.append(s)
    stop = threading.Event()

    def drip(sock):
        try:
            for ch in b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n":
                sock.send(bytes([ch]))
                if stop.wait(1.0):
                    return
        except OSError:
            pass

    drippers = []
    for _ in range(8):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        drippers.append(s)
        threading.Thread(target=drip, args=(s,), daemon=True).start()
    t0 = time.monotonic()
    c = Client(port)
    st1, _ = c.ask("OPTIONS", url)
    st2, _ = c.ask("DESCRIBE", url, auth=True)
    st3, head = c.ask("SETUP", url + "/trackID=0",
                      ["Transport: RTP/AVP/TCP;unicast;interleaved=0-1"], auth=True)
    st4, _ = c.ask("PLAY", url, ["Session: %s" % c.session(head)], auth=True)
    got = c.rtp_frame(t0 + 2)
    dt = time.monotonic() - t0
    check((st1, st2, st3, st4) == (200, 200, 200, 200) and got is not None and dt <= 2,
          "127.0.0.1 plays past 120 idle sockets and 8 drippers from 127.0.0.2: "
          "%s, RTP %s after %.3f s" % ((st1, st2, st3, st4), got is not None, dt))
    c.close()
    # the drippers' requests do not finish: each is closed header-ms after
    # its first byte (or evicted earlier), not kept alive by every byte
    t0 = time.monotonic()
    closed = sum(closed_by_peer(s, max(0.1, HEADER_MS / 1000 + 1.5 - (time.monotonic() - t0)))
                 for s in drippers)
    check(closed == len(drippers), "%d of %d drippers closed within %.1f s"
          % (closed, len(drippers), HEADER_MS / 1000 + 1.5))
    stop.set()
    # a dripper from its own address is closed by the header timeout alone
    d = socket.socket()
    d.bind(("127.0.0.3", 0))
    d.connect(("127.0.0.1", port))
    d.send(b"O")
    t0 = time.monotonic()
    d.settimeout(0.2)
    closed_at = None
    for ch in b"PTIONS * RTSP/1.0\r\nCSeq: 1\r\n":
        try:
            if d.recv(4096) == b"":
                closed_at = time.monotonic() - t0
                break
        except socket.timeout:
            pass
        except OSError:
            closed_at = time.monotonic() - t0
            break
        try:
            d.send(bytes([ch]))
        except OSError:
            closed_at = time.monotonic() - t0
            break
    check(closed_at is not None and HEADER_MS / 1000 - 0.3 <= closed_at <= HEADER_MS / 1000 + 1,
          "a request dripped a byte per 0.2 s is cut %d ms after its first byte (%s s)"
          % (HEADER_MS, closed_at))
    for s in idle + drippers + [d]:
        s.close()

    # a full table (4 addresses x 8 idle sockets): the address holding the
    # most gives up its oldest idle one, a new client is not refused
    full = []
    for i in range(4):
        for _ in range(8):
            s = socket.socket()
            s.bind(("127.0.0.%d" % (10 + i), 0))
            s.connect(("127.0.0.1", port))
            full.append(s)
    k = Client(port)
    st, _ = k.ask("OPTIONS", url)
    check(st == 200, "a new client with the table full of idle sockets: 200 (%s)" % st)
    st, _ = stale_conn.ask("OPTIONS", url)
    check(st == 200, "an idle client of a small address was not the one closed (%s)" % st)
    k.close()
    for s in full:
        s.close()

    # --- strictness ---------------------------------------------------------
    strict = [
        (400, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: a\0b\r\n\r\n", "NUL in a header"),
        (400, b"OPTIONS rtsp://h/\0 RTSP/1.0\r\nCSeq: 1\r\n\r\n", "NUL in the URI"),
        (414, b"DESCRIBE /" + b"a" * 1500 + b" RTSP/1.0\r\nCSeq: 1\r\n\r\n", "a 1.5 kB URI"),
        (414, b"DESCRIBE /" + b"a" * 3000 + b" RTSP/1.0\r\nCSeq: 1\r\n\r\n", "a 3 kB request line"),
        (400, b"OPTIONS * RTSP/1.0\r\n\r\n", "no CSeq"),
        (400, b"SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 0\r\n"
              b"Content-Length: 4\r\n\r\nabcd", "two Content-Length"),
        (505, b"OPTIONS * RTSP/1.1\r\nCSeq: 1\r\n\r\n", "RTSP/1.1"),
        (400, b"OPTIONS * RTSP/1.0x\r\nCSeq: 1\r\n\r\n", "RTSP/1.0x"),
        (400, b"OPTIONS * HTTP/1.0\r\nCSeq: 1\r\n\r\n", "HTTP/1.0"),
        (200, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: a\r\n folded\r\n\r\n",
         "a folded header line (accepted, as gst-rtsp-server does)"),
    ]
    for want, data, what in strict:
        k = Client(port)
        st, _ = k.raw(data)
        check(st == want, "%s: %d (%s)" % (what, want, st))
        k.close()
    k = Client(port)
    for tr in ("client_port=1-1", "client_port=0", "client_port=0-1", "client_port=5001-5002",
               "client_port=5000-5003", "client_port=65535", "client_port=70000-70001",
               "client_port=abc", "client_port=5000-"):
        st, _ = k.ask("SETUP", url + "/trackID=0", ["Transport: RTP/AVP;unicast;" + tr], auth=True)
        check(st == 461, "Transport %s: 461 (%s)" % (tr, st))
    k.close()

    # --- an expired nonce: stale=true, and a fresh one works -------------
    left = NONCE_TTL_S + 1.1 - (time.monotonic() - stale_t)
    if left > 0:
        time.sleep(left)	# the nonce's lifetime is what is under test
    stale_conn.chal, stale_conn.nc = stale_chal, 0
    hdr = stale_conn.auth("DESCRIBE", url, "SHA-256")
    st, head = stale_conn.raw(("DESCRIBE %s RTSP/1.0\r\nCSeq: 9\r\nAuthorization: %s\r\n\r\n"
                               % (url, hdr)).encode())
    ch = parse_challenges(head)
    check(st == 401 and ch and all(c.get("stale") == "true" for c in ch),
          "a right response with an expired nonce: 401 stale=true (%s)" % st)
    stale_conn.chal, stale_conn.nc = ch, 0
    st, _ = stale_conn.ask("DESCRIBE", url, auth=True)
    check(st == 200, "the fresh nonce of that 401 works: 200 (%s)" % st)

    # --- credentials removed while serving -------------------------------
    check(srv.command("nocreds") == "creds ok", "nocreds")
    st, _ = a.ask("GET_PARAMETER", url, ["Session: " + sid])
    check(st == 200, "no credentials again: requests without them pass (%s)" % st)


if __name__ == "__main__":
    sys.exit(main())
