#!/usr/bin/python3
"""tool.py -- helpers for tests/deploy/*.sh (standard library only).

  tool.py subst IN OUT FROM=TO...
        copy IN to OUT, replacing each FROM path with TO in one pass (a
        replacement is never replaced again).  Fails if IN names a path
        under $FA_prefix that no FROM covers: the installed file would
        point outside the temporary install.
  tool.py bodies URL
        POST bodies the contract does not send to URL/auth/login: a
        declared 2 MiB one and chunked ones (no Content-Length); prints
        one line per case: NAME STATUS CONTENT-TYPE BODY (cut to 60)
  tool.py errors URL <TOKEN
        requests the endpoints refuse and requests for no endpoint, with
        bob's token (a user, not an admin) from stdin; prints one line per
        case: NAME STATUS CONTENT-TYPE BODY (cut to 60)
  tool.py bearer URL <TOKEN
        GET URL/me with alice's token from stdin in Authorization headers
        spelt in different ways; prints one line per case: NAME STATUS
        DETAIL (or "ok" for a 200)
  tool.py slowbody URL SOCKDIR LOGINS MES <TOKEN
        hold LOGINS slow clients on URL/auth/login and MES on URL/me (a
        POST), each sending its head with "Content-Length: 30" and 14
        bytes of body, then nothing; then one ordinary login (alice) and
        one GET /me (the token from stdin), each given 30 s.  Prints how
        many slow clients the server had read (all they sent, from
        /proc/net/tcp) when the ordinary requests were sent ("K/N": the
        situation tested holds only at N/N), then how many the
        endpoints' sockets in SOCKDIR held (/proc/net/unix) then or once
        the ordinary requests were answered, whichever is more; then one
        line per endpoint: NAME, the ordinary request's STATUS (none: not
        answered in 30 s) and "slow-unanswered=K/N", K of the N slow
        clients still without an answer (nor a close) once it was
        answered.  Closes them all at the end.
"""

import os
import re
import select
import socket
import sys
import threading
import time
import urllib.parse


def cmd_subst(argv):
    src, dst = argv[0], argv[1]
    pairs = dict(a.split("=", 1) for a in argv[2:])
    with open(src) as f:
        text = f.read()
    prefix = os.environ.get("FA_prefix", "")
    froms = sorted(pairs, key=len, reverse=True)
    if prefix:
        for m in re.finditer(re.escape(prefix) + r"[^\s\"'|;,)]*", text):
            if not any(m.group(0).startswith(p) for p in froms):
                print("%s: %s is not under a path the test moves (%s)" %
                      (src, m.group(0), " ".join(froms)), file=sys.stderr)
                return 1
    pat = re.compile("|".join(re.escape(p) for p in froms))
    out = pat.sub(lambda m: pairs[m.group(0)], text)
    with open(dst, "w") as f:
        f.write(out)
    os.chmod(dst, os.stat(src).st_mode & 0o777)
    return 0


def exchange(url, head, chunks):
    """Send head, then the body chunks, and return the response; the
    server may answer and close before the body is all sent."""
    s = socket.create_connection((url.hostname, url.port), timeout=30)
    try:
        s.sendall(head)
        try:
            for c in chunks:
                s.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while True:
                got = s.recv(65536)
                if not got:
                    break
                data += got
        except ConnectionResetError:
            pass
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    # A 100 Continue may come first.
    while lines and lines[0].split(" ")[1:2] == ["100"]:
        head, _, body = body.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")[1] if lines and " " in lines[0] else "-"
    ctype = "-"
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            ctype = value.strip().split(";")[0]
        if name.strip().lower() == "transfer-encoding" and \
                "chunked" in value.lower():
            chunked = True
    if chunked:
        plain, rest = b"", body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            plain, rest = plain + rest[:n], rest[n + 2:]
        body = plain
    return status, ctype, body


def cmd_bodies(argv):
    url = urllib.parse.urlsplit(argv[0])
    form = b"username=bob&password=bobpass&pad="
    base = (b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Connection: close\r\n")

    def declared(n):
        body = form + b"x" * (n - len(form))
        return (base + b"Content-Length: %d\r\n\r\n" % n,
                [body[i:i + 65536] for i in range(0, n, 65536)])

    def chunked(n):
        body = form + b"x" * (n - len(form))
        return (base + b"Transfer-Encoding: chunked\r\n\r\n",
                [b"%x\r\n%s\r\n" % (len(body[i:i + 8192]),
                                    body[i:i + 8192])
                 for i in range(0, n, 8192)] + [b"0\r\n\r\n"])

    cases = [("declared_2MiB", declared(2 * 1024 * 1024)),
             ("chunked_100B", chunked(100)),
             ("chunked_20KiB", chunked(20 * 1024)),
             ("chunked_64KiB", chunked(64 * 1024)),
             ("chunked_64KiB+1", chunked(64 * 1024 + 1)),
             ("chunked_200KiB", chunked(200 * 1024)),
             ("chunked_2MiB", chunked(2 * 1024 * 1024))]
    for name, (head, chunks) in cases:
        try:
            status, ctype, body = exchange(url, head, chunks)
        except OSError as e:
            status, ctype, body = "error", "-", str(e).encode()
        text = body.decode("utf-8", "replace").replace("\n", " ").strip()
        if text.startswith('{"access_token"'):
            text = '{"access_token":...}'
        print("%s %s %s %s" % (name, status, ctype, text[:60] or "-"))
    return 0


def request(url, method, path, headers=b"", body=b""):
    head = (b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            % (method, path)) + headers
    if body:
        head += (b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: %d\r\n" % len(body))
    return exchange(url, head + b"\r\n", [body] if body else [])


def cmd_errors(argv):
    url = urllib.parse.urlsplit(argv[0])
    auth = b"Authorization: Bearer %s\r\n" % \
        sys.stdin.readline().strip().encode()
    cases = [("unknown_path", b"GET", b"/nope", b"", b""),
             ("unknown_path_post", b"POST", b"/nope", b"", b"a=b"),
             ("me_slash", b"GET", b"/me/", auth, b""),
             ("under_login", b"POST", b"/auth/login/x", b"",
              b"username=bob&password=bobpass"),
             ("me_no_token", b"GET", b"/me", b"", b""),
             ("reports_as_bob", b"GET", b"/reports", auth, b""),
             ("delete_me", b"DELETE", b"/me", auth, b""),
             ("login_no_fields", b"POST", b"/auth/login", b"", b"a=b")]
    for name, method, path, headers, body in cases:
        status, ctype, got = request(url, method, path, headers, body)
        text = got.decode("utf-8", "replace").replace("\n", " ").strip()
        print("%s %s %s %s" % (name, status, ctype, text[:60] or "-"))
    return 0


def cmd_bearer(argv):
    url = urllib.parse.urlsplit(argv[0])
    t = sys.stdin.readline().strip().encode()
    cases = [("exact", b"Authorization: Bearer " + t),
             ("lower_case", b"Authorization: bearer " + t),
             ("upper_case", b"Authorization: BEARER " + t),
             ("no_space_after_colon", b"Authorization:Bearer " + t),
             ("spaces_before", b"Authorization:    Bearer " + t),
             ("space_after", b"Authorization: Bearer " + t + b" "),
             ("tab_after", b"Authorization: Bearer " + t + b"\t"),
             ("two_spaces", b"Authorization: Bearer  " + t),
             ("tab_between", b"Authorization: Bearer\t" + t),
             ("scheme_only", b"Authorization: Bearer"),
             ("basic", b"Authorization: Basic " + t)]
    for name, header in cases:
        status, _, got = request(url, b"GET", b"/me", header + b"\r\n")
        detail = got.decode("utf-8", "replace").strip()
        if status == "200":
            detail = "ok"
        elif detail.startswith('{"detail":"'):
            detail = detail[len('{"detail":"'):-2]
        print("%s %s %s" % (name, status, detail))
    return 0


def endpoint_connections(sockdir):
    """Connected unix sockets bound under sockdir: the endpoints' ends of
    the server's FastCGI connections (an accepted socket shows the
    listening socket's path, the server's end none)."""
    n = 0
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Num RefCount Protocol Flags Type St Inode Path; St 03:
            # connected.
            if len(fields) >= 8 and fields[5] == "03" and \
                    fields[7].startswith(sockdir + "/"):
                n += 1
    return n


def tcp_queues():
    """{(local port, remote port): (state, tx_queue, rx_queue)} of the
    TCP sockets in /proc/net/tcp and tcp6."""
    socks = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            f = open(name)
        except OSError:
            continue
        with f:
            next(f)
            for line in f:
                # sl local_address rem_address st tx_queue:rx_queue ...
                fields = line.split()
                if len(fields) < 5:
                    continue
                lport = int(fields[1].rsplit(":", 1)[1], 16)
                rport = int(fields[2].rsplit(":", 1)[1], 16)
                tx, rx = (int(q, 16) for q in fields[4].split(":"))
                socks[(lport, rport)] = (fields[3], tx, rx)
    return socks


def read_by_server(clients, server_port):
    """How many of the connected sockets in clients the server has read
    everything from: nothing left in our send queue, and the server's
    end of the connection established with nothing in its receive queue
    (which a connection still in the listen backlog, or one the server
    has not read yet, has).  A closed server end counts as not read: the
    client is no longer held."""
    socks = tcp_queues()
    n = 0
    for s in clients:
        port = s.getsockname()[1]
        ours = socks.get((port, server_port))
        theirs = socks.get((server_port, port))
        # 01: ESTABLISHED.
        if ours and theirs and ours[0] == "01" and ours[1] == 0 and \
                theirs[0] == "01" and theirs[2] == 0:
            n += 1
    return n


def cmd_slowbody(argv):
    url = urllib.parse.urlsplit(argv[0])
    sockdir = argv[1].rstrip("/")
    counts = {"login": int(argv[2]), "me": int(argv[3])}
    auth = b"Authorization: Bearer %s\r\n" % \
        sys.stdin.readline().strip().encode()
    # 14 bytes of a 30-byte form, then nothing: the finding's client.  A
    # POST to /me too: lighttpd answers a GET with a body 400 at once, and
    # the endpoints read any request's body before they look at its
    # method.
    slow_head = {
        "login": b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 30\r\n\r\nusername=alice",
        "me": b"POST /me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
              b"Content-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 30\r\n\r\nusername=alice"}
    ordinary = {
        "login": (b"POST", b"/auth/login", b"",
                  b"username=alice&password=alicepass"),
        "me": (b"GET", b"/me", auth, b"")}
    before = endpoint_connections(sockdir)
    slow = {name: [] for name in counts}
    answers = {}
    total = sum(counts.values())
    try:
        for name, n in counts.items():
            for _ in range(n):
                s = socket.create_connection((url.hostname, url.port),
                                             timeout=30)
                slow[name].append(s)
                s.sendall(slow_head[name])
        clients = [s for socks in slow.values() for s in socks]
        # The situation tested: the server has read every slow client's
        # head and partial body before the ordinary requests come.  On a
        # loaded machine that may take a while: wait for it (at most
        # 10 s).  A server that streams bodies then passes each slow
        # request to an endpoint process: give it a moment more for
        # that (at most 3 s; a server that reads the whole body first
        # never does), so that the ordinary requests come after them,
        # as in the finding.  Should it take longer, the count once the
        # ordinary requests are answered still shows it.
        deadline = time.monotonic() + 10
        while read_by_server(clients, url.port) < total and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        deadline = time.monotonic() + 3
        held = endpoint_connections(sockdir)
        while held < before + total and time.monotonic() < deadline:
            time.sleep(0.05)
            held = endpoint_connections(sockdir)
        read = read_by_server(clients, url.port)
        reached = max(held - before, 0)

        def ask(name):
            method, path, headers, body = ordinary[name]
            try:
                status, _, _ = request(url, method, path, headers, body)
            except OSError:
                status = "none"
            # Which slow clients got an answer (or a close) by now.
            ready, _, _ = select.select(slow[name], [], [], 0)
            answers[name] = (status, len(slow[name]) - len(ready))

        threads = [threading.Thread(target=ask, args=(name,))
                   for name in counts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # The ordinary requests' own connections to the endpoints close
        # once answered (no server here keeps one open): wait for that
        # (at most 5 s).  What is left is slow clients that reached an
        # endpoint late, as they would under streaming.
        deadline = time.monotonic() + 5
        after = endpoint_connections(sockdir)
        while after > before and time.monotonic() < deadline:
            time.sleep(0.05)
            after = endpoint_connections(sockdir)
        reached = max(reached, after - before)
    finally:
        for socks in slow.values():
            for s in socks:
                s.close()
    print("slow clients read by the server: %d/%d" % (read, total))
    print("slow clients at the endpoints: %d" % reached)
    for name, n in counts.items():
        status, unanswered = answers[name]
        print("%s %s slow-unanswered=%d/%d" % (name, status, unanswered, n))
    return 0


COMMANDS = {"subst": cmd_subst, "bodies": cmd_bodies, "errors": cmd_errors,
            "bearer": cmd_bearer, "slowbody": cmd_slowbody}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
