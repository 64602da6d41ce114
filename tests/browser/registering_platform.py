"""A platform the live server can reach over real HTTP, for LTI Dynamic Registration in the
browser tests: its OpenID configuration and a registration endpoint that accepts the tool."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@contextmanager
def registering_platform() -> Iterator[str]:
    """Serve a Moodle-like platform on a free local port; yields its configuration URL."""

    class Handler(BaseHTTPRequestHandler):
        def _json(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            root = f"http://{self.headers['host']}"  # as the tool reached it
            self._json(
                {
                    "issuer": root,
                    "authorization_endpoint": f"{root}/mod/lti/auth.php",
                    "token_endpoint": f"{root}/mod/lti/token.php",
                    "jwks_uri": f"{root}/mod/lti/certs.php",
                    "registration_endpoint": f"{root}/mod/lti/openid-registration.php",
                    CLAIM: {
                        "product_family_code": "moodle",
                        "messages_supported": [{"type": "LtiResourceLinkRequest"}],
                    },
                }
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            sent = json.loads(self.rfile.read(length))
            tool = {**sent.get(TOOL_CLAIM, {}), "deployment_id": "1"}
            self._json({**sent, "client_id": "client-navigateur", TOOL_CLAIM: tool})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/mod/lti/openid-configuration.php"
    finally:
        server.shutdown()
        server.server_close()
