#!/usr/bin/python3
"""keys.py -- key pairs (JWT_ALG ES256, RS256) through a server, for
keys.sh; stdlib, PyJWT, python-jose and cryptography.

  keys.py basic URL ALG PEM SOCKETS
        (SOCKETS: the /me pool's, comma-separated, or "" for none)
        login -> /me with ALG; /.well-known/jwks.json and its
        Cache-Control; our tokens verified by PyJWT and python-jose given
        only the served JWKS; tokens PyJWT mints with PEM (the signing key)
        and our kid accepted by every /me process (SOCKETS); the attacks
        over HTTP: alg none, HS256 keyed with the public key (PEM and JWK
        bytes), RS256 under an EC kid, an unknown kid
  keys.py rotate URL SOCKETS DIR AUTHCTL CLIENTS
        the rotation of README under load: DIR holds a.pem (the signing
        key), signing.pem (JWT_PRIVATE_KEY_FILE, a copy of a.pem) and
        jwks.json (JWT_KEYS_FILE, a.pem's key).  CLIENTS threads log in
        and call /me over and over while it: makes b.pem; installs the
        set {a, b} and waits until every /me process accepts a b token;
        replaces signing.pem by b.pem (no restart) and waits until every
        client holds a b token; installs the set {b} and waits until
        every /me process refuses a token of a it had verified and cached.
        Every request of every client must succeed: zero refused.
  keys.py tokens PEM ALG KID SUB ROLE COUNT TTL
        COUNT distinct tokens signed with PEM under kid KID, one a line,
        as login mints them (for bench/run's key-pair rows)

Each check prints what it expected and what it got, and exits 1, at the
first difference.  Waits are outcomes with a 10 s bound (20 s for the
clients, which log in one at a time), never times.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessions import (Fail, claims, expect, expect_answer,  # noqa: E402
                      fcgi_get_me, login, me, request)

import jwt  # noqa: E402
from jose import jwt as jose_jwt  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

INVALID = {"detail": "Invalid or expired token"}
JWKS_PATH = "/.well-known/jwks.json"
BOUND = 10.0


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def header(token):
    return jwt.get_unverified_header(token)


def get_jwks(url):
    r = request(url, "GET", JWKS_PATH, label="GET " + JWKS_PATH)
    expect("%s: status" % r.label, 200, r.status, r)
    expect("%s: Cache-Control" % r.label, "public, max-age=300",
           r.header("cache-control"), r)
    expect("%s: Content-Type" % r.label, "application/json",
           (r.header("content-type") or "").split(";")[0], r)
    if not isinstance(r.json, dict) or not isinstance(r.json.get("keys"),
                                                      list):
        raise Fail("#   %s: not a JWK Set" % r.describe())
    return r.json


def key_by_kid(jwks, kid):
    for k in jwks["keys"]:
        if k.get("kid") == kid:
            return k
    raise Fail("#   kid %s not in the served set %r" % (kid, jwks))


def sign_with(pem_path, alg, kid, payload):
    with open(pem_path, "rb") as f:
        pem = f.read()
    return jwt.encode(payload, pem, algorithm=alg, headers={"kid": kid})


def fresh_claims(c):
    """Our token's claims, with a new jti and times: PyJWT's token."""
    c = dict(c)
    now = int(time.time())
    c["iat"] = now
    c["nbf"] = now
    c["exp"] = now + 300
    c["jti"] = b64url(os.urandom(16))
    return c


def expect_every_process(sockets, token, status, what):
    """Each /me process (its socket) answers status to token within
    BOUND seconds."""
    for sock in sockets:
        end = time.monotonic() + BOUND
        while True:
            r = fcgi_get_me(sock, token)
            if r.status == status:
                break
            if time.monotonic() > end:
                raise Fail("#   %s: %s answered %d, not %d, for %g s" %
                           (what, os.path.basename(sock), r.status, status,
                            BOUND))
            time.sleep(0.1)


def forge_hs256(hdr, payload, key):
    head = b64url(json.dumps(hdr, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key, (head + "." + body).encode(), hashlib.sha256)
    return head + "." + body + "." + b64url(sig.digest())


def cmd_basic(argv):
    url, alg, pem_path = argv[0], argv[1], argv[2]
    sockets = [x for x in argv[3].split(",") if x]
    r = login(url, "alice", "alicepass")
    expect("login: status", 200, r.status, r)
    token = r.json["access_token"]
    hdr = header(token)
    expect("login: the token's alg", alg, hdr.get("alg"), r)
    kid = hdr.get("kid")
    r2 = me(url, token)
    expect("GET /me: status", 200, r2.status, r2)
    expect("GET /me: username", "alice", (r2.json or {}).get("username"), r2)

    jwks = get_jwks(url)
    jwk = key_by_kid(jwks, kid)
    expect("served key: alg", alg, jwk.get("alg"))
    expect("served key: use", "sig", jwk.get("use"))
    for member in ("d", "p", "q", "dp", "dq", "qi"):
        if member in jwk:
            raise Fail("#   the served key has private member %s" % member)

    # The kid is the RFC 7638 thumbprint, computed here from the PEM.
    with open(pem_path, "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), None)
    pub = priv.public_key()
    nums = pub.public_numbers()
    if alg.startswith("ES"):
        size = (pub.curve.key_size + 7) // 8
        canon = {"crv": "P-%d" % pub.curve.key_size, "kty": "EC",
                 "x": b64url(nums.x.to_bytes(size, "big")),
                 "y": b64url(nums.y.to_bytes(size, "big"))}
    else:
        canon = {"e": b64url(nums.e.to_bytes((nums.e.bit_length() + 7) //
                                              8, "big")),
                 "kty": "RSA",
                 "n": b64url(nums.n.to_bytes((nums.n.bit_length() + 7) //
                                              8, "big"))}
    tp = b64url(hashlib.sha256(json.dumps(
        canon, sort_keys=True, separators=(",", ":")).encode()).digest())
    expect("kid = RFC 7638 thumbprint of the signing key", tp, kid)

    # Interop: ours verified by PyJWT and python-jose from the JWKS only.
    # python-jose 3.3 gets the key chosen by kid: handed a mixed EC+RSA
    # set it tries every key, and raises on the first of another kty
    # outside its try block (its bug, not ours).
    got = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[alg],
                     options={"verify_aud": False})
    expect("PyJWT, given the JWKS: sub", "alice", got.get("sub"))
    got = jose_jwt.decode(token, jwk, algorithms=[alg],
                          options={"verify_aud": False})
    expect("python-jose, given the kid's JWK: sub", "alice", got.get("sub"))
    got = jose_jwt.decode(token, jwks, algorithms=[alg],
                          options={"verify_aud": False})
    expect("python-jose, given the whole (one-key) set: sub", "alice",
           got.get("sub"))

    # Theirs accepted by ours: PyJWT signs with our private key and kid,
    # every /me process accepts it (ECDSA: about half are high-S).
    mine = claims(token)
    for k in range(8):
        theirs = sign_with(pem_path, alg, kid, fresh_claims(mine))
        expect_answer(me(url, theirs, "GET /me, PyJWT's token #%d" % k),
                      200, r2.json)
    expect_every_process(sockets, sign_with(pem_path, alg, kid,
                                            fresh_claims(mine)), 200,
                         "PyJWT's token on every process")

    # Attacks (check_token has the full table).
    pay = fresh_claims(mine)
    pem_pub = pub.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
    attacks = [
        ("alg none", b64url(json.dumps({"alg": "none", "typ": "JWT",
                                        "kid": kid}).encode()) + "." +
         b64url(json.dumps(pay).encode()) + "."),
        ("HS256 keyed with the public key's PEM",
         forge_hs256({"alg": "HS256", "typ": "JWT", "kid": kid}, pay,
                     pem_pub)),
        ("HS256 keyed with the served JWK's bytes",
         forge_hs256({"alg": "HS256", "typ": "JWT", "kid": kid}, pay,
                     json.dumps(jwk, separators=(",", ":")).encode())),
        ("an unknown kid", sign_with(pem_path, alg, "../../etc/passwd",
                                     pay)),
        ("no kid", jwt.encode(pay, open(pem_path, "rb").read(),
                              algorithm=alg)),
        ("our key and kid, signed as another alg of its kind",
         sign_with(pem_path, alg[:2] + ("384" if alg.endswith("256")
                                        else "256"), kid, pay)),
    ]
    for what, forged in attacks:
        expect_answer(me(url, forged, "GET /me, " + what), 401, INVALID)
    print("# basic %s: kid %s; PyJWT and python-jose agree both ways; %d "
          "attacks refused" % (alg, kid, len(attacks)))
    return 0


class Client(threading.Thread):
    """Logs in, calls /me 10 times with the token, and again, until
    stop; every answer that is not a 200 is kept."""

    def __init__(self, url, n, stop):
        threading.Thread.__init__(self, daemon=True)
        self.url, self.n, self.stop = url, n, stop
        self.kid = None
        self.logins = self.calls = 0
        self.bad = []
        self.loops = 0

    def run(self):
        user, pw = (("alice", "alicepass"), ("bob", "bobpass"))[self.n % 2]
        while not self.stop.is_set():
            try:
                r = login(self.url, user, pw)
                self.logins += 1
                if r.status != 200:
                    self.bad.append(r.describe())
                    continue
                token = r.json["access_token"]
                kid = header(token).get("kid")
                for _ in range(10):
                    r = me(self.url, token)
                    self.calls += 1
                    if r.status != 200:
                        self.bad.append("%s (kid %s)" % (r.describe(), kid))
                self.kid = kid
                self.loops += 1
            except Exception as e:  # a refused connection is a refusal
                self.bad.append("client %d: %r" % (self.n, e))
                time.sleep(0.1)


def wait_for(what, cond, bound=BOUND):
    end = time.monotonic() + bound
    while not cond():
        if time.monotonic() > end:
            raise Fail("#   %s: not within %g s" % (what, bound))
        time.sleep(0.05)


def install(path, data):
    """Replace path atomically (as an admin's mv would)."""
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)


def authctl(prog, *args):
    return subprocess.run([prog] + list(args), check=True,
                          stdout=subprocess.PIPE).stdout


def cmd_rotate(argv):
    url, sockets, d, prog, n = argv[0], argv[1].split(","), argv[2], \
        argv[3], int(argv[4])
    a_pem, b_pem = os.path.join(d, "a.pem"), os.path.join(d, "b.pem")
    signing, keys = os.path.join(d, "signing.pem"), \
        os.path.join(d, "jwks.json")
    r = login(url, "alice", "alicepass")
    expect("login before the rotation: status", 200, r.status, r)
    kid_a = header(r.json["access_token"]).get("kid")
    old = r.json["access_token"]
    expect_every_process(sockets, old, 200, "a's token before the rotation")

    stop = threading.Event()
    clients = [Client(url, k, stop) for k in range(n)]
    for c in clients:
        c.start()
    try:
        wait_for("every client through a loop with a's key",
                 lambda: all(c.loops >= 1 for c in clients), 2 * BOUND)
        # 1. A new key.
        kid_b = authctl(prog, "key", "new", "--alg", "ES256", "--out",
                        b_pem).decode().strip()
        # 2. Its public key in the set, beside a's; wait until every
        # process has it (and the JWKS serves it).
        install(keys, authctl(prog, "key", "jwks", a_pem, b_pem))
        wait_for("the served set lists b",
                 lambda: any(k.get("kid") == kid_b
                             for k in get_jwks(url)["keys"]))
        b_token = sign_with(b_pem, "ES256", kid_b, fresh_claims(claims(old)))
        expect_every_process(sockets, b_token, 200,
                             "a b token once the set has b")
        # 3. Sign with b: JWT_PRIVATE_KEY_FILE replaced, no restart.
        with open(b_pem, "rb") as f:
            install(signing, f.read())
        wait_for("every client holding a token signed with b",
                 lambda: all(c.kid == kid_b for c in clients), 2 * BOUND)
        # 4. a's tokens are no longer in use (each client's current
        # token is b's): remove a.  A token of a every process verified
        # (and cached) before is refused from then on.
        install(keys, authctl(prog, "key", "jwks", b_pem))
        expect_every_process(sockets, old, 401,
                             "a's cached token once a is removed")
        expect_answer(me(url, old, "GET /me, a's token after removal"),
                      401, INVALID)
        mark = [c.loops for c in clients]
        wait_for("every client through another loop",
                 lambda: all(c.loops > m for c, m in zip(clients, mark)),
                 2 * BOUND)
    finally:
        stop.set()
        for c in clients:
            c.join(30)
    bad = [b for c in clients for b in c.bad]
    logins = sum(c.logins for c in clients)
    calls = sum(c.calls for c in clients)
    print("# rotate: kid %s -> %s under %d clients: %d logins, %d /me, "
          "%d refused" % (kid_a, kid_b, n, logins, calls, len(bad)))
    if bad:
        raise Fail("#   refused during the rotation:\n#   " +
                   "\n#   ".join(bad[:20]))
    return 0


def cmd_tokens(argv):
    pem_path, alg, kid, sub, role = argv[:5]
    count, ttl = int(argv[5]), int(argv[6])
    with open(pem_path, "rb") as f:
        # Parsed once: PyJWT given PEM bytes parses them at every call,
        # and an RSA key's parse checks the key (tens of ms).
        key = serialization.load_pem_private_key(f.read(), None)
    now = int(time.time())
    for k in range(count):
        print(jwt.encode({"sub": sub, "role": role, "iat": now,
                          "exp": now + ttl, "jti": str(k)}, key,
                         algorithm=alg, headers={"kid": kid}))
    return 0


COMMANDS = {"basic": cmd_basic, "rotate": cmd_rotate, "tokens": cmd_tokens}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
    except Fail as e:
        print(e)
        sys.exit(1)
