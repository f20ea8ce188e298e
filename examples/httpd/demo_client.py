#!/usr/bin/env python3
"""The demo's visitor for httpd: asks the appliance (through the port skiff-run
forwards, 18080) for its page and its two API answers, and prints them."""

import sys
import time
import urllib.request

PATHS = ("/", "/api/status", "/api/hello?name=demo")
DEADLINE_SECONDS = 60


def fetch(path, deadline):
    """GET path from the appliance, retrying while it boots; None on no answer."""
    while time.time() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:18080" + path, timeout=30) as reply:
                return reply.read().decode(errors="replace")
        except OSError:
            time.sleep(0.5)
    return None


def main():
    deadline = time.time() + DEADLINE_SECONDS
    for path in PATHS:
        body = fetch(path, deadline)
        print("   [host] GET %s -> %s" % (path, "no answer" if body is None
                                          else body.strip().splitlines()[-1][:70]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
