#!/usr/bin/python3
"""helper.py -- small tools for the e2e shell scripts (stdlib + PyJWT only).

  helper.py port [LOW-HIGH]           print a free loopback TCP port
  helper.py wait URL SECONDS [PID]    wait until URL answers HTTP at all
                                      (exit 1 on timeout, 2 if PID died)
  helper.py hash PREFIX [COST]        crypt(5) hash of the password on stdin
                                      ($y$, $2b$, $6$, $5$) via libcrypt
  helper.py token [--scope SCOPE] SECRET_FILE SUB ROLE [VER|-]
        [EXP_IN_SECONDS] [ALG]        print a token minted with PyJWT;
                                      --scope adds a "scope" claim (RFC
                                      9068: space-separated scopes)
  helper.py abort URL N                send N logins (alice) and reset each
                                      connection before the answer
  helper.py http METHOD URL [HEADER...]
                                      one request, body from stdin if not a
                                      tty; prints the status, then the body
  helper.py fcgi SOCKET[,SOCKET...] METHOD PATH [HEADER...]
                                      the same request over FastCGI to
                                      each socket, straight to one worker
                                      each; prints "STATUS BODY" a line

Passwords and tokens are read from stdin or files, never from argv, where
any user could see them in ps.
"""

import ctypes
import ctypes.util
import http.client
import os
import random
import socket
import sys
import time
import urllib.parse


def read_secret(path):
    with open(path, "rb") as f:
        data = f.read()
    # As the endpoints do (common/cfg.c): trailing newlines are not secret.
    return data.rstrip(b"\r\n")


def cmd_port(argv):
    low, high = 18000, 18999
    if argv:
        low, high = (int(x) for x in argv[0].split("-", 1))
    ports = list(range(low, high + 1))
    random.shuffle(ports)
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        print(port)
        return 0
    print("no free port in %d-%d" % (low, high), file=sys.stderr)
    return 1


def cmd_wait(argv):
    url = urllib.parse.urlsplit(argv[0])
    deadline = time.monotonic() + float(argv[1])
    pid = int(argv[2]) if len(argv) > 2 else None
    while time.monotonic() < deadline:
        if pid is not None:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return 2
        try:
            conn = http.client.HTTPConnection(url.hostname, url.port,
                                              timeout=2)
            conn.request("GET", url.path or "/")
            conn.getresponse().read()
            conn.close()
            return 0
        except OSError:
            time.sleep(0.05)
    return 1


def crypt_hash(password, prefix, cost=0):
    """crypt(5) hash of password (bytes) via libcrypt's crypt_gensalt and
    crypt, or ValueError naming what refused."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong,
                                  ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    setting = lib.crypt_gensalt(prefix.encode(), cost, None, 0)
    if not setting:
        raise ValueError("crypt_gensalt refused %r" % prefix)
    hashed = lib.crypt(password, setting)
    if not hashed or hashed.startswith(b"*"):
        raise ValueError("crypt failed for %r" % prefix)
    return hashed.decode()


def cmd_hash(argv):
    cost = int(argv[1]) if len(argv) > 1 else 0
    password = sys.stdin.buffer.readline().rstrip(b"\n")
    try:
        print(crypt_hash(password, argv[0], cost))
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def mint(secret_file, sub, role, ver=None, exp_in=600, alg="HS256",
         scope=None):
    """A token as the endpoints mint one: sub, role, iat, exp, and ver
    and scope when given (None: no such claim)."""
    import jwt
    secret = read_secret(secret_file)
    now = int(time.time())
    payload = {"sub": sub, "role": role, "iat": now, "exp": now + exp_in}
    if ver is not None:
        payload["ver"] = ver
    if scope is not None:
        payload["scope"] = scope
    return jwt.encode(payload, secret, algorithm=alg)


def cmd_token(argv):
    scope = None
    if argv and argv[0] == "--scope":
        scope, argv = argv[1], argv[2:]
    print(mint(argv[0], argv[1], argv[2],
               int(argv[3]) if len(argv) > 3 and argv[3] != "-" else None,
               int(argv[4]) if len(argv) > 4 else 600,
               argv[5] if len(argv) > 5 else "HS256", scope))
    return 0


def cmd_tokens(argv):
    """tokens SECRET_FILE SUB ROLE COUNT TTL: COUNT distinct tokens, one a
    line (each with its own "jti", RFC 7519 4.1.7, which the endpoints
    ignore), for the benchmark's uncached column."""
    import jwt
    secret = read_secret(argv[0])
    now = int(time.time())
    for k in range(int(argv[3])):
        print(jwt.encode({"sub": argv[1], "role": argv[2], "iat": now,
                          "exp": now + int(argv[4]), "jti": str(k)}, secret,
                         algorithm="HS256"))
    return 0


def cmd_http(argv):
    method, url = argv[0], urllib.parse.urlsplit(argv[1])
    headers = {}
    for h in argv[2:]:
        name, _, value = h.partition(":")
        headers[name.strip()] = value.strip()
    if "Authorization" in headers and headers["Authorization"] == "-":
        # The credentials come on stdin, so they stay out of argv.
        headers["Authorization"] = sys.stdin.readline().rstrip("\n")
        body = None
    else:
        body = None if sys.stdin.isatty() else sys.stdin.buffer.read()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    path = url.path + ("?" + url.query if url.query else "")
    conn.request(method, path, body=body or None, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    print(resp.status)
    sys.stdout.flush()
    sys.stdout.buffer.write(data + b"\n")
    return 0


def cmd_fcgi(argv):
    """A server balances requests over a pool's processes as it likes; a
    test that must reach every process talks to each one's socket."""
    import fcgi_wire
    sockets, method, path = argv[0].split(","), argv[1], argv[2]
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME": path,
           "REQUEST_URI": path, "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1"}
    body = b""
    for h in argv[3:]:
        name, _, value = h.partition(":")
        name, value = name.strip(), value.strip()
        if name.lower() == "authorization" and value == "-":
            # The credentials come on stdin, so they stay out of argv.
            value = sys.stdin.readline().rstrip("\n")
        if name.lower() == "content-type":
            env["CONTENT_TYPE"] = value
        else:
            env["HTTP_" + name.upper().replace("-", "_")] = value
    if "HTTP_AUTHORIZATION" not in env and not sys.stdin.isatty():
        body = sys.stdin.buffer.read()
    env["CONTENT_LENGTH"] = str(len(body))
    for path in sockets:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.sendall(fcgi_wire.request_head(env) +
                      fcgi_wire.body_records(body))
            out, _, _ = fcgi_wire.read_response(s)
        finally:
            s.close()
        status = fcgi_wire.status_of(out).split(" ", 1)[0]
        answer = out.split(b"\r\n\r\n", 1)[-1].replace(b"\n", b" ")
        sys.stdout.buffer.write(status.encode() + b" " + answer + b"\n")
    return 0


def cmd_abort(argv):
    import struct
    url = urllib.parse.urlsplit(argv[0])
    body = b"username=alice&password=alicepass"
    req = (b"POST /auth/login HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/x-www-form-urlencoded\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    for _ in range(int(argv[1])):
        s = socket.create_connection((url.hostname, url.port), timeout=10)
        s.sendall(req)
        # Let the request reach the endpoint, then reset (SO_LINGER 0)
        # while it is still hashing the password.
        time.sleep(0.002)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
    return 0


COMMANDS = {"port": cmd_port, "wait": cmd_wait,
            "hash": cmd_hash, "token": cmd_token, "tokens": cmd_tokens, "abort": cmd_abort,
            "http": cmd_http, "fcgi": cmd_fcgi}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
