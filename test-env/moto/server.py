"""Runs moto's threaded server (every AWS service it implements) on loopback.

Prints one JSON line {"endpoint": ..., "credentialsEndpoint": ...} once it is
listening, then serves until SIGINT/SIGTERM. Started by
test-env/src/services/moto.ts.

credentialsEndpoint is part of the test environment's AWS stand-in, not of
moto: `GET /secret?accessKeyId=AKID` answers {"secretAccessKey", "sessionToken"}
of an access key moto issued (IAM CreateAccessKey, STS AssumeRole), 404 for a
key moto does not know. moto never checks request signatures; the EKS stand-in's
STS front (src/services/eksHarness.ts) uses this to check them, as STS does.
"""

import json
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.server import ThreadedMotoServer


def find_secret(access_key_id: str):
    """The secret (and session token) of an access key moto issued, or None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for partitions in list(sts_backends.values()):
        for backend in list(partitions.values()):
            for role in list(backend.assumed_roles):
                if role.access_key_id == access_key_id:
                    return {
                        "secretAccessKey": role.secret_access_key,
                        "sessionToken": role.session_token,
                    }
    for partitions in list(iam_backends.values()):
        for backend in list(partitions.values()):
            for user in list(backend.users.values()):
                for key in user.access_keys:
                    if key.access_key_id == access_key_id:
                        return {"secretAccessKey": key.secret_access_key}
    return None


class CredentialsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urllib.parse.urlparse(self.path)
        key = urllib.parse.parse_qs(url.query).get("accessKeyId", [""])[0]
        found = find_secret(key) if url.path == "/secret" and key else None
        body = json.dumps(found or {"error": "unknown access key"}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    credentials = ThreadingHTTPServer(("127.0.0.1", 0), CredentialsHandler)
    credentials.daemon_threads = True
    threading.Thread(target=credentials.serve_forever, daemon=True).start()
    print(
        json.dumps(
            {
                "endpoint": f"http://{host}:{port}",
                "credentialsEndpoint": f"http://127.0.0.1:{credentials.server_port}",
            }
        ),
        flush=True,
    )

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    credentials.shutdown()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
