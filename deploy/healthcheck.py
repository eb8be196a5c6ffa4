"""The image's HEALTHCHECK: exit 0 when the bot's ops server answers GET /healthz with 200, else 1.

Standard library only: the slim image has no curl. Reads OPS_LISTEN and OPS_PORT as the bot does.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

# A wildcard listen address is reachable on loopback; any other address is dialled as given.
WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def main() -> int:
    port = int(os.environ.get("OPS_PORT") or 9090)
    if port == 0:
        print("OPS_PORT=0: the ops server is off, so there is nothing to check", file=sys.stderr)
        return 1
    host = os.environ.get("OPS_LISTEN", "")
    host = "127.0.0.1" if host in WILDCARDS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    url = f"http://{host}:{port}/healthz"
    try:
        # Below the HEALTHCHECK's --timeout, so a hung server is reported here rather than killed by Docker.
        with urllib.request.urlopen(url, timeout=4) as response:
            status = response.status
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    print(f"{url}: HTTP {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
