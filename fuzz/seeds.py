#!/usr/bin/env python3
# seeds.py -- regenerate the seed corpora in fuzz/corpus/ (deterministic)
#
# Tokens are minted for the clock and secret in fuzz.h (FUZZ_NOW,
# FUZZ_SECRET) so that some seeds verify and the fuzzer starts past the
# signature check.  Run from anywhere: python3 fuzz/seeds.py
# Only the files named below are (re)written: corpus/*/found-* are inputs
# the fuzzer found, kept by hand.
import base64
import hashlib
import hmac
import os

NOW = 1700000000
SECRET = b"fuzz-secret-0123456789abcdefghij"
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

H256 = b'{"alg":"HS256","typ":"JWT"}'
CLAIMS = b'{"sub":"alice","role":"admin","iat":%d,"exp":%d,"ver":0}' % (
    NOW, NOW + 600)

# Hashes of "secret" of each scheme users.c accepts, at low cost.
YESCRYPT = b"$y$j75$abcdefghijklmnop$vZlXu1XtxOBWRxjOpQqONp1WYfMO0dN.H4xeSMU2ZvC"
BCRYPT = b"$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW"
SHA512 = (b"$6$rounds=1000$pVTz/FMdaw69f/qt$nGszYOO3.TrjeNE.1OshckioBIhehO/"
          b"tTyGRRUW5PG6ZZTew1zV.nMh/DH3pDmb7yCrM74XKnr1BFe5qWkF1c.")
SHA256 = b"$5$rounds=1000$saltsalt$eKLZU9t9OoPWrqOQsoTIKG0aYkZ5rGOoOQhiIvoSWX2"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def token(header, payload, alg="HS256", key=SECRET):
    signing = b64(header) + b"." + b64(payload)
    if alg is None:
        return signing + b"."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
              "HS512": hashlib.sha512}[alg]
    return signing + b"." + b64(hmac.new(key, signing, digest).digest())


def claims(**kw):
    c = {"sub": b'"alice"', "role": b'"admin"', "iat": b"%d" % NOW,
         "exp": b"%d" % (NOW + 600)}
    c.update(kw)
    return b"{" + b",".join(b'"%s":%s' % (k.encode(), v)
                            for k, v in c.items() if v is not None) + b"}"


VALID = token(H256, CLAIMS)

SEEDS = {
    "form": {
        "login": b"grant_type=password&username=alice&password=secret",
        "plus-and-escapes": b"username=alice&password=p%40ss+word%2B",
        "sql": b"username=%27+OR+1%3D1--&password=x",
        "nul": b"username=alice%00&password=x%00y",
        "duplicates": b"username=mallory&username=alice&password=a&password=b",
        "broken-escapes": b"password=%&username=%4&x=%zz&grant_type=%%41",
        "semicolons": b"a=1;b=22;c+d=333;c%20d=4444",
        "empty": b"username=&password=&grant_type=",
        "no-values": b"=&&==&username&password&a",
        "long-password": b"username=alice&password=" + b"x" * 1025,
        "utf8": b"username=%ff%fe%fd&password=%C3%A9t%C3%A9",
        "content-type": b"application/x-www-form-urlencoded; charset=UTF-8",
    },
    "bearer": {
        "valid": b"Bearer " + VALID,
        "lowercase": b"bearer " + VALID,
        "two-spaces": b"BEARER  " + VALID,
        "scheme-only": b"Bearer",
        "scheme-space": b"Bearer ",
        "basic": b"Basic YWxpY2U6c2VjcmV0",
        "leading-space": b" Bearer " + VALID,
        "tab": b"Bearer\t" + VALID,
        "alg-none": b"Bearer " + token(b'{"alg":"none"}', CLAIMS, None),
        "three-letters": b"Bearer a.b.c",
        "expired": b"Bearer " + token(H256, claims(exp=b"%d" % (NOW - 1))),
        "trailing-comma": b"Bearer " + VALID + b",",
    },
    "users": {
        "one": b"alice:" + YESCRYPT + b":admin\n",
        "schemes": b"a:" + YESCRYPT + b":admin\nb:" + BCRYPT + b":user\n"
                   b"c:" + SHA512 + b":user:active:3\nd:" + SHA256 +
                   b":ops:disabled\n",
        "comments-crlf": b"# users\r\n\r\n   \t\nalice:" + BCRYPT +
                         b":admin:\r\n# end",
        "duplicate": b"alice:" + BCRYPT + b":admin\nalice:" + SHA512 +
                     b":user\n",
        "mixed-bad": b"bad line\nalice:" + BCRYPT + b":admin\n-x:" + BCRYPT +
                     b":r\ny:$1$abc$def:r\n",
        "too-many-fields": b"alice:" + BCRYPT + b":admin:active:1:extra\n",
        "bad-names": b"a b:" + BCRYPT + b":r\n.x:" + BCRYPT + b":r\n" +
                     b"x" * 65 + b":" + BCRYPT + b":r\n",
        "versions": b"a:" + BCRYPT + b":r::2147483647\nb:" + BCRYPT +
                    b":r::2147483648\nc:" + BCRYPT + b":r::-1\nd:" + BCRYPT +
                    b":r::+1\n",
        "long-line": b"alice:" + BCRYPT + b":" + b"r" * 1100 + b"\n",
        "only-comments": b"# nothing\n#alice:x:y\n",
        "empty": b"",
        "states": b"a:" + BCRYPT + b":r:Disabled\nb:" + BCRYPT +
                  b":r:disabled\nc:" + BCRYPT + b":r:active\n",
    },
    "token": {
        "valid": VALID,
        "valid-no-iat": token(H256, claims(iat=None)),
        "expired": token(H256, claims(exp=b"%d" % (NOW - 1))),
        "alg-none": token(b'{"alg":"none","typ":"JWT"}', CLAIMS, None),
        "hs512": token(b'{"alg":"HS512","typ":"JWT"}', CLAIMS, "HS512"),
        "kid-jku": token(b'{"alg":"HS256","kid":"../../etc/passwd",'
                         b'"jku":"http://127.0.0.1/jwks.json"}', CLAIMS),
        "crit": token(b'{"alg":"HS256","crit":["exp"]}', CLAIMS),
        "duplicate-sub": token(H256, b'{"sub":"mallory","sub":"alice",'
                               b'"role":"admin","exp":%d}' % (NOW + 600)),
        "sub-number": token(H256, claims(sub=b"42")),
        "nbf-future": token(H256, claims(nbf=b"%d" % (NOW + 10))),
        "typ-refresh": token(H256, claims(typ=b'"refresh"')),
        "four-parts": VALID + b".x",
        "aud-other": token(H256, claims(aud=b'"other-service"')),
    },
    # The first byte picks the mode (fuzz_token_signed.c), modulo 3: 0
    # payload, 1 header\npayload, 2 a JSON object for libjwt to sign; and
    # from 0x80 on, the configuration with JWT_AUDIENCE and JWT_ISSUER.
    "token_signed": {
        "payload-valid": b"\x00" + CLAIMS,
        "payload-ver": b"\x00" + claims(ver=b"7"),
        "payload-float-exp": b"\x00" + claims(exp=b"1700000600.0"),
        "payload-huge-exp": b"\x00" + claims(exp=b"9223372036854775808"),
        "payload-nul-sub": b"\x00" + claims(sub=b'"al\\u0000ice"'),
        "payload-dup-exp": b"\x00" + b'{"sub":"a","role":"r","exp":1,'
                           b'"exp":%d}' % (NOW + 600),
        "payload-typ-access": b"\x00" + claims(typ=b'"access"'),
        "header-valid": b"\x01" + H256 + b"\n" + CLAIMS,
        "header-alg-case": b"\x01" + b'{"alg":"hs256"}\n' + CLAIMS,
        "header-dup-alg": b"\x01" + b'{"alg":"none","alg":"HS256"}\n' + CLAIMS,
        "header-typ": b"\x01" + b'{"alg":"HS256","typ":"at+jwt"}\n' + CLAIMS,
        "libjwt-valid": b"\x02" + CLAIMS,
        "libjwt-nested": b"\x02" + claims(role=b'{"a":[1,2,{"b":null}]}'),
        "payload-aud-unset": b"\x00" + claims(aud=b'"fuzz-api"'),
        "aud-iss-payload": b"\x81" + claims(aud=b'"fuzz-api"',
                                           iss=b'"https://fuzz.example"'),
        "aud-iss-array": b"\x81" + claims(aud=b'["x","fuzz-api"]',
                                         iss=b'"https://fuzz.example"'),
        "aud-iss-libjwt": b"\x80" + claims(aud=b'["fuzz-api",7]',
                                          iss=b'"https://fuzz.example"'),
    },
    "policy": {
        "example": b"# the issue's\nrole admin  reports:read projects:read "
                   b"users:admin\nrole user   projects:read\n"
                   b"allow GET,HEAD  /reports/      scope=reports:read\n"
                   b"allow *         /projects/     role=admin,user\n"
                   b"allow GET       /public/       anyone\n"
                   b"allow *         /              authenticated\n",
        "exact-and-subtree": b"allow GET /a/b anyone\nallow POST /a/b "
                             b"authenticated\nallow GET /a/ role=admin\n"
                             b"allow GET /a/b/ role=user\n",
        "order": b"allow GET /x anyone\nallow * /x role=a\n"
                 b"allow GET,HEAD /x scope=s\nrole a s t\n",
        "crlf-tabs": b"role\tr\ta b\r\nallow\tGET\t/\tscope=a,b\r\n",
        "bad-line": b"allow GET / anyone\nallow GET /a/../b anyone\n",
        "bad-who": b"allow GET / everyone\n",
        "bad-method": b"allow GET,,POST / anyone\n",
        "dup-role": b"role a x\nrole a y\n",
        "dup-scope": b"role a x y x\n",
        "params": b"allow GET /a;b=1/ anyone\nallow GET /a;b=1/..;/ x\n",
        "empty": b"",
    },
    "path": {
        "plain": b"/reports/x",
        "dotdot": b"/public/../reports/x",
        "encoded-dotdot": b"/public/%2e%2e/reports/x",
        "encoded-slash": b"/reports%2Fx",
        "double-slash": b"//reports/x",
        "dot": b"/./reports/x",
        "dotdot-params": b"/public/..;/reports/x",
        "empty-params": b"/public/;x/../reports/x",
        "query-fragment": b"/reports/x?a=/public/#f",
        "trailing-dot": b"/reports./x",
        "nul": b"/reports/x%00",
        "backslash": b"/reports\\x%5c",
        "above-root": b"/../etc",
        "absolute-form": b"http://localhost:8080/reports/../x",
        "double-encoded": b"/reports/%252e%252e/x",
        "invalid-escape": b"/reports/%zz%4",
        "utf8": b"/caf%C3%A9/\xc3\xa9",
        "star": b"*",
    },
    # fuzz_cookie: a Cookie header (and, past a first newline, a next).
    "cookie": {
        "access": b"fcgi-auth=" + VALID,
        "both-https": b"__Host-fcgi-auth=" + VALID + b"; "
                      b"__Secure-fcgi-auth-refresh=" + b"A" * 64,
        "many": b"a=1; b=2; fcgi-auth=x; fcgi-auth=y; c",
        "whitespace": b" \t fcgi-auth \t= \t v \t ;;",
        "quoted": b'fcgi-auth="v"; fcgi-auth-refresh=""',
        "no-equals": b"fcgi-auth; =; ==; fcgi-auth-refresh",
        "next": b"fcgi-auth=v\n/files/?x=1",
        "next-evil": b"x=1\n/%2F%2Fevil.example",
        "next-backslash": b"x=1\n/\\evil.example",
        "ctl": b"fcgi-auth=a\x00b; fcgi-auth-refresh=\r\n",
    },
}


def main():
    for target, seeds in SEEDS.items():
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
