"""Runs moto's threaded server (every AWS service it implements) on loopback.

Prints one JSON line {"endpoint": ...} once it is listening, then serves until
SIGINT/SIGTERM. Started by test-env/src/services/moto.ts.
"""

import json
import signal
import sys
import threading

from moto.server import ThreadedMotoServer


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(json.dumps({"endpoint": f"http://{host}:{port}"}), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
