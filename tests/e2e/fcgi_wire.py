"""fcgi_wire.py -- the client side of FastCGI that the tests share.

Records out (a responder request: BEGIN_REQUEST, PARAMS, STDIN; or an
authorizer's, which lighttpd and Apache send without STDIN) and
records in (STDOUT and STDERR up to END_REQUEST), as the FastCGI 1.0
specification lays them out.  Used by fcgi_checks.py, helper.py's "fcgi"
command and the leak check's drive.py.  Standard library only.
"""

import struct

BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
RESPONDER, AUTHORIZER = 1, 2
REQUEST_ID = 1
HEADER = "!BBHHBx"  # version, type, request id, content length, padding


def record(rtype, content=b""):
    """One record of at most 65535 bytes of content, padded to 8 bytes."""
    pad = (8 - len(content) % 8) % 8
    return (struct.pack(HEADER, 1, rtype, REQUEST_ID, len(content), pad) +
            content + b"\0" * pad)


def stream(rtype, data):
    """data as records of at most 65535 bytes, then the empty record that
    ends the stream."""
    return b"".join(record(rtype, data[i:i + 65535])
                    for i in range(0, len(data), 65535)) + record(rtype)


def nv_len(n):
    return struct.pack("!B", n) if n < 128 else struct.pack("!I",
                                                            n | 0x80000000)


def encode_params(env):
    data = b""
    for name, value in env.items():
        name, value = name.encode(), value.encode()
        data += nv_len(len(name)) + nv_len(len(value)) + name + value
    return data


def request_head(env, role=RESPONDER):
    """BEGIN_REQUEST and the parameters: all but the body."""
    return (record(BEGIN_REQUEST, struct.pack("!HB5x", role, 0)) +
            stream(PARAMS, encode_params(env)))


def body_records(body):
    return stream(STDIN, body)


def read_response(sock, timeout=10):
    """(stdout bytes, stderr bytes, the application's exit status) up to
    END_REQUEST; EOFError if the connection closes before it."""
    sock.settimeout(timeout)
    buf, out, err = b"", b"", b""
    while True:
        while len(buf) < 8:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed before END_REQUEST "
                               "(stdout so far: %r)" % out)
            buf += chunk
        _, rtype, _, clen, plen = struct.unpack(HEADER, buf[:8])
        while len(buf) < 8 + clen + plen:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a record")
            buf += chunk
        content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
        if rtype == STDOUT:
            out += content
        elif rtype == STDERR:
            err += content
        elif rtype == END_REQUEST:
            return out, err, struct.unpack("!I", content[:4])[0]


def status_of(stdout):
    """The Status header's value ("401 Unauthorized"), which our endpoints
    always send first; else the first line as it is."""
    first = stdout.split(b"\r\n", 1)[0].decode("latin-1")
    return first[len("Status: "):] if first.startswith("Status: ") else first
