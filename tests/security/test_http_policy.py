"""Where the HTTP policy sends a token: only to its own origin, and only over verified TLS."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from platformctl.errors import ProviderError
from platformctl.providers.http import HttpClient, RetryPolicy, github_service
from platformctl.providers.tokens import Token
from tests.fakes.clock import FakeClock
from tests.providers.test_http import TOKEN, Script, client


def test_a_next_page_link_that_drops_to_plain_http_is_refused():
    link = {"Link": '<http://api.github.test/x?page=2>; rel="next"'}
    app = Script((200, link, [{"id": 1}]), (200, {}, [{"id": 2}]))
    with pytest.raises(ProviderError, match="next-page link to another host"):
        list(client(app).paginate("/x", action="list"))
    assert len(app.seen) == 1


def test_a_next_page_link_to_another_port_is_refused():
    app = Script((200, {"Link": '<https://api.github.test:8443/x?page=2>; rel="next"'}, [{"id": 1}]))
    with pytest.raises(ProviderError, match="another host"):
        list(client(app).paginate("/x", action="list"))
    assert len(app.seen) == 1


def test_a_redirect_down_to_plain_http_drops_the_token():
    app = Script((302, {"Location": "http://api.github.test/elsewhere"}, {}), (200, {}, {}))
    client(app).request("GET", "/repos/a/b", action="read")
    assert app.seen[0]["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in app.seen[1]


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """An HTTPS server on loopback with a certificate nobody trusts; yields its URL, that
    certificate and the Authorization headers it received."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert, received
    server.shutdown()
    server.server_close()


def test_tls_is_verified_by_default(self_signed_server):
    url, cert, received = self_signed_server
    service = github_service(url, "2022-11-28", Token(TOKEN, "GH_TOKEN"))
    http = HttpClient(service, RetryPolicy(max_attempts=2), clock=FakeClock())
    with pytest.raises(ProviderError, match="CERTIFICATE_VERIFY_FAILED"):
        http.request("GET", "/user", action="read the user")
    assert received == []  # no request, so no token, reached the server
    # A client that trusts the certificate is answered: the refusal above was the TLS check.
    assert httpx.get(f"{url}/user", verify=ssl.create_default_context(cafile=str(cert))).status_code == 200
    assert received == [""]


def _ssl_context_of(http: HttpClient) -> ssl.SSLContext:
    """The SSL context the client's connection pool wraps its sockets with."""
    context: ssl.SSLContext = http._client._transport._pool._ssl_context  # type: ignore[attr-defined]
    return context


def test_clients_with_one_trust_setting_share_one_ssl_context(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    service = github_service("https://api.github.test", "2022-11-28", None)
    first, second = HttpClient(service), HttpClient(service)
    assert _ssl_context_of(first) is _ssl_context_of(second)
    assert _ssl_context_of(first).verify_mode == ssl.CERT_REQUIRED
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    other = HttpClient(service)
    assert _ssl_context_of(other) is not _ssl_context_of(first)
    assert _ssl_context_of(HttpClient(service)) is _ssl_context_of(other)


def test_a_custom_ca_bundle_gets_its_own_context_and_the_default_still_verifies(
    self_signed_server, monkeypatch
):
    url, cert, received = self_signed_server
    service = github_service(url, "2022-11-28", Token(TOKEN, "GH_TOKEN"))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the user's CA bundle: the test certificate
    assert HttpClient(service, clock=FakeClock()).request("GET", "/user", action="read").status_code == 200
    assert received == [f"Bearer {TOKEN}"]
    monkeypatch.delenv("SSL_CERT_FILE")  # back to the default bundle: the shared one does not trust it
    http = HttpClient(service, RetryPolicy(max_attempts=1), clock=FakeClock())
    with pytest.raises(ProviderError, match="CERTIFICATE_VERIFY_FAILED"):
        http.request("GET", "/user", action="read the user")
    assert received == [f"Bearer {TOKEN}"]
