#!/usr/bin/python3
"""sessions.py -- bench/run's session helpers, through the server.

  sessions.py token URL USER        password on stdin; logs in for real and
                                    prints the access token (it carries
                                    "sid" and "jti": a live session)
  sessions.py churn URL USER MS     password on stdin; until SIGTERM, every
                                    MS milliseconds: log in, then log that
                                    session out, so each process's poll of
                                    the ended sessions finds new ones; on
                                    SIGTERM prints "ended=N failed=N"

Uses tests/e2e/sessions.py's client (stdlib only).
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "e2e"))
import sessions  # noqa: E402


def cmd_token(argv):
    r = sessions.login(argv[0], argv[1], sys.stdin.readline().rstrip("\n"))
    if r.status != 200 or not r.json or "refresh_token" not in r.json:
        print("login: %s" % r.describe(), file=sys.stderr)
        return 1
    print(r.json["access_token"])
    return 0


stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


def cmd_churn(argv):
    url, user, every = argv[0], argv[1], int(argv[2]) / 1000.0
    password = sys.stdin.readline().rstrip("\n")
    signal.signal(signal.SIGTERM, on_term)
    ended = failed = 0
    due = time.monotonic()
    while not stopping:
        try:
            r = sessions.login(url, user, password)
            if r.status == 200 and r.json:
                r = sessions.logout(url, r.json["access_token"])
            if r.status == 204:
                ended += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        due += every
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            due = time.monotonic()
    print("ended=%d failed=%d" % (ended, failed))
    return 0


COMMANDS = {"token": cmd_token, "churn": cmd_churn}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
