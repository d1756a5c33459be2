#!/usr/bin/python3
"""report.py -- bench/run's results file as a markdown report.

  report.py RESULTS key=value...

RESULTS has one line per measurement, "LABEL key=value...", as bench/run
writes it: wrk-result fields (rps, p50_ms, p99_ms, non2xx, connect, read,
write, timeout) for each round, rss=NxKIB once per label, and users-load.
The report gives the median of the rounds, the ratios the project targets
(/me, /projects and /reports >= 90% of trivial and >= 10x the reference),
and the machine it ran on.
"""

import os
import platform
import statistics
import subprocess
import sys

PACKAGES = ["lighttpd", "nginx", "spawn-fcgi", "libfcgi0ldbl", "libjwt0",
            "libjson-c5",
            "libcrypt1", "libssl3", "wrk", "python3-fastapi",
            "python3-uvicorn"]


def parse(path):
    rows, rss, other = {}, {}, {}
    order = []
    with open(path) as f:
        for line in f:
            label, *fields = line.split()
            kv = dict(x.split("=", 1) for x in fields if "=" in x)
            if label == "users-load" or label.startswith("sessions-churn-"):
                other[label] = line.split(" ", 1)[1].strip()
            elif "rss" in kv:
                rss[label] = kv["rss"]
            else:
                if label not in rows:
                    order.append(label)
                rows.setdefault(label, []).append(kv)
    return order, rows, rss, other


def summary(runs):
    rps = [float(r["rps"]) for r in runs]
    errs = sum(int(r[k]) for r in runs
               for k in ("non2xx", "connect", "read", "write", "timeout"))
    return {
        "rps": statistics.median(rps), "min": min(rps), "max": max(rps),
        "p50": statistics.median(float(r["p50_ms"]) for r in runs),
        "p99": statistics.median(float(r["p99_ms"]) for r in runs),
        "errors": errs, "n": len(runs),
        "requests": sum(int(r["requests"]) for r in runs),
    } | {k: statistics.median(float(r[k]) for r in runs)
         if all(k in r for r in runs) else None
         for k in ("server_us", "front_us", "machine_us")}


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = []
    for p in PACKAGES:
        try:
            v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p],
                               capture_output=True, text=True).stdout
        except OSError:
            v = ""
        versions.append("%s %s" % (p, v or "(not installed)"))
    return model, versions


def rss_text(s):
    if not s or s == "-":
        return "-"
    n, kib = s.split("x")
    return "%s x %.1f MiB" % (n, int(kib) / 1024)


def main():
    order, rows, rss, other = parse(sys.argv[1])
    opts = dict(a.split("=", 1) for a in sys.argv[2:])
    s = {label: summary(runs) for label, runs in rows.items()}
    model, versions = machine()

    print("## Machine")
    print()
    print("- %d CPUs (nproc), %s" % (os.cpu_count(), model))
    print("- kernel %s, %s" % (platform.release(), platform.machine()))
    print("- " + ", ".join(versions))
    print("- load average (1, 5, 15 min) before the run: %s; after: %s"
          % (opts.get("load_before"), opts.get("load_after")))
    print("- wrk -t%s -c%s (logins: -c%s), %s s per measurement after %s s "
          "of warm-up; %s rounds interleaved for the token endpoints (the "
          "table gives medians), one for logins"
          % (opts.get("threads"), opts.get("conns"), opts.get("login_conns"),
             opts.get("duration"), opts.get("warmup"), opts.get("rounds")))
    print()
    print("## Throughput and latency")
    print()
    print("| target | req/s (median) | req/s min-max | p50 ms | p99 ms "
          "| errors | worker RSS (procs x max) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    names = {
        "trivial": "trivial FastCGI (fixed reply), 2 procs",
        "me": "/me, 2 procs", "projects": "/projects, 2 procs",
        "reports": "/reports, 2 procs",
        "me-distinct": "/me, a new token each request (cache misses), "
                       "2 procs",
        "trivial-distinct": "trivial FastCGI, the same requests as "
                            "/me's new tokens, 2 procs",
        "login-yescrypt": "/auth/login alice ($y$ default cost), 1 proc",
        "login-bcrypt12": "/auth/login ($2b$ cost 12), 1 proc",
        "1proc-trivial": "trivial FastCGI, 1 proc",
        "1proc-me": "/me, 1 proc",
        "off-trivial": "trivial FastCGI, 2 procs (sessions run, off)",
        "off-me": "/me, sessions off, 2 procs (sessions run)",
        "sqlite-trivial": "trivial FastCGI, 2 procs (sessions run, SQLite)",
        "sqlite-me": "/me, a session's token, sessions on SQLite, 2 procs",
        "redis-trivial": "trivial FastCGI, 2 procs (sessions run, Redis)",
        "redis-me": "/me, a session's token, sessions on Redis, 2 procs",
        "es256-trivial": "trivial FastCGI, 2 procs (ES256 run)",
        "es256-me": "/me, ES256, 2 procs",
        "es256-me-distinct": "/me, ES256, a new token each request, "
                             "2 procs",
        "es256-trivial-distinct": "trivial FastCGI, the same requests as "
                               "/me's new ES256 tokens",
        "es256-login-yescrypt": "/auth/login alice ($y$), ES256, 1 proc",
        "rs256-trivial": "trivial FastCGI, 2 procs (RS256 run)",
        "rs256-me": "/me, RS256, 2 procs",
        "rs256-me-distinct": "/me, RS256, a new token each request, "
                             "2 procs",
        "rs256-trivial-distinct": "trivial FastCGI, the same requests as "
                               "/me's new RS256 tokens",
        "rs256-login-yescrypt": "/auth/login alice ($y$), RS256, 1 proc",
        "lt-static": "lighttpd, static file, unprotected",
        "lt-trivial": "lighttpd, the file behind trivial.fcgi (authorizer)",
        "lt-authorize": "lighttpd, the file behind authorize.fcgi",
        "ng-static": "nginx, static file, unprotected",
        "ng-trivial": "nginx auth_request to trivial.fcgi, no cache",
        "ng-authorize": "nginx auth_request to authorize.fcgi, no cache",
        "ng-trivial-cached": "nginx auth_request to trivial.fcgi, 1 s cache",
        "ng-authorize-cached": "nginx auth_request to authorize.fcgi, "
                               "1 s cache",
    }
    for w in ("1", "2"):
        for e in ("me", "projects", "reports"):
            names["ref%s-%s" % (w, e)] = "reference /%s, %s worker%s" % (
                e, w, "s" if w == "2" else "")
        names["ref%s-login" % w] = (
            "reference /auth/login (bcrypt 12), %s worker%s"
            % (w, "s" if w == "2" else ""))
    for label in order:
        r = s[label]
        print("| %s | %.0f | %.0f-%.0f | %.2f | %.2f | %d | %s |" % (
            names.get(label, label), r["rps"], r["min"], r["max"], r["p50"],
            r["p99"], r["errors"], rss_text(rss.get(label))))
    print()
    print("errors = non-2xx answers + socket errors, over all rounds.")
    print()
    print("## CPU time per request (microseconds, median of the rounds)")
    print()
    print("From /proc: the answering processes (our endpoint's pool, the "
          "authorizer's, or the reference app), the web server (lighttpd, or "
          "nginx for its rows), and the whole machine (both CPUs: wrk, "
          "the kernel's network work and anything else running included).")
    print()
    print("| target | answering processes | web server | whole machine |")
    print("|---|---:|---:|---:|")
    for label in order:
        r = s[label]
        if r.get("server_us") is None:
            continue
        print("| %s | %.1f | %s | %.1f |" % (
            names.get(label, label), r["server_us"],
            "-" if label.startswith("ref") else "%.1f" % r["front_us"],
            r["machine_us"]))
    print()

    print("## Ratios (median req/s)")
    print()
    print("| ratio | value | target | |")
    print("|---|---:|---:|---|")

    def ratio(a, b, target=None, times=False):
        if a not in s or b not in s or s[b]["rps"] == 0:
            return
        v = s[a]["rps"] / s[b]["rps"]
        shown = "%.1fx" % v if times else "%.1f%%" % (100 * v)
        if target is None:
            verdict, t = "", ""
        else:
            verdict = "meets" if v >= target else "SHORT"
            t = ">= %gx" % target if times else ">= %g%%" % (100 * target)
        print("| %s / %s | %s | %s | %s |" % (
            names.get(a, a), names.get(b, b), shown, t, verdict))

    ratio("lt-authorize", "lt-trivial", 0.90)
    ratio("ng-authorize", "ng-trivial", 0.90)
    ratio("ng-authorize-cached", "ng-trivial-cached", 0.90)
    ratio("ng-authorize-cached", "ng-static", 0.55)
    for a, b in (("lt-trivial", "lt-static"), ("lt-authorize", "lt-static"),
                 ("ng-trivial", "ng-static"), ("ng-authorize", "ng-static"),
                 ("ng-trivial-cached", "ng-static")):
        ratio(a, b)
    for e in ("me", "projects", "reports"):
        ratio(e, "trivial", 0.90)
    # A new token each request against the trivial program sent the
    # very same requests: same bytes through lighttpd, same work for
    # wrk on the same CPUs; only the program behind differs.
    ratio("me-distinct", "trivial-distinct")
    ratio("me-distinct", "trivial")
    ratio("off-me", "off-trivial", 0.90)
    for st in ("sqlite", "redis"):
        ratio(st + "-me", st + "-trivial", 0.90)
        ratio(st + "-me", "off-me")
    for w in ("1", "2"):
        for e in ("me", "projects", "reports"):
            ratio(e, "ref%s-%s" % (w, e), 10, times=True)
    ratio("es256-me", "es256-trivial", 0.90)
    ratio("es256-me-distinct", "es256-trivial-distinct", 0.70)
    ratio("es256-me-distinct", "es256-trivial")
    ratio("rs256-me", "rs256-trivial", 0.90)
    ratio("rs256-me-distinct", "rs256-trivial-distinct", 0.80)
    ratio("rs256-me-distinct", "rs256-trivial")
    ratio("es256-login-yescrypt", "login-yescrypt", 0.98)
    ratio("rs256-login-yescrypt", "login-yescrypt", 0.98)
    ratio("1proc-me", "1proc-trivial")
    ratio("me", "1proc-me", times=True)
    ratio("trivial", "1proc-trivial", times=True)
    ratio("login-bcrypt12", "ref1-login", times=True)
    if opts.get("reference") != "1":
        print()
        print("The reference app was not measured (absent or its packages "
              "missing).")
    churn = [(k[len("sessions-churn-"):], v) for k, v in other.items()
             if k.startswith("sessions-churn-")]
    if churn:
        print()
        print("## Sessions' churn")
        print()
        print("While the sessions rows ran, a client logged in and out "
              "(ending a session) every %s ms:" % opts.get("churn_ms"))
        for st, v in churn:
            print("- %s: %s" % (st, v))
    if "users-load" in other:
        print()
        print("## Users file")
        print()
        print("- " + other["users-load"])


if __name__ == "__main__":
    main()
