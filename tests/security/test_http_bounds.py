"""Hostile servers end in one clean exit-1 error, within the configured deadline and body cap.

Each test points the real CLI (``assess maturity --org``: its first request is a GitHub
listing) at a loopback server that trickles, floods, answers HTML or broken JSON, or
redirects for ever. Deadlines and caps are configured small so the tests stay fast. The
servers that never stop sending run the CLI in a subprocess, whose timeout turns a hang into a
failure instead of a stuck run; those that answer and close run it in-process.
"""

from __future__ import annotations

import pytest

from tests.maturity.helpers import write_answers, write_model
from tests.security import hostile_http as h

TOKEN = "gh" + "p_" + "B" * 36


@pytest.fixture
def scan(cli, cli_process, tmp_path):
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "a.yaml", {"a.ci": "one"})

    def run(url: str, *, endless: bool = False, **settings: str):
        env = {
            "PLATFORMCTL_GITHUB_API_URL": url,
            "GITHUB_TOKEN": TOKEN,
            "PLATFORMCTL_HTTP_DEADLINE": "1.5",
            "PLATFORMCTL_HTTP_MAX_BODY": "65536",
            "PLATFORMCTL_HTTP_MAX_ATTEMPTS": "2",
            "PLATFORMCTL_HTTP_BACKOFF": "0.01",
            **settings,
        }
        args = ("assess", "maturity", "--model", str(model), "--answers", str(answers))
        args += ("--org", "acme", "--provider", "github")
        return cli_process(*args, env=env, timeout=60) if endless else cli(*args, env=env)

    return run


def assert_clean(result, *fragments: str) -> str:
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "report it as a bug" not in result.stderr and "Traceback" not in result.stderr
    assert any(line.startswith("hint:") for line in lines), result.stderr
    assert TOKEN not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def test_a_server_trickling_its_headers_is_cut_off_at_the_deadline(scan):
    with h.hostile(h.trickle_headers) as url:
        result = scan(url, endless=True, PLATFORMCTL_HTTP_DEADLINE="0.3")  # 3 of its bytes
    assert_clean(result, "did not answer GET", "within http.deadline (0.3 s)")


def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(scan):
    with h.hostile(h.trickle_body) as url:
        result = scan(url, endless=True, PLATFORMCTL_HTTP_DEADLINE="0.3", PLATFORMCTL_HTTP_TIMEOUT="30")
    assert_clean(result, "within http.deadline (0.3 s)", "/orgs/acme/repos")


def test_an_endless_body_is_refused_at_the_cap(scan):
    with h.hostile(h.flood) as url:
        result = scan(url, endless=True, PLATFORMCTL_HTTP_DEADLINE="30")
    assert_clean(result, "with 200 (application/json)", "larger than http.max_body (65536 bytes)")


def test_a_declared_huge_body_is_refused_without_reading_it(scan):
    with h.hostile(h.declared_huge) as url:
        result = scan(url, endless=True, PLATFORMCTL_HTTP_DEADLINE="30")
    assert_clean(result, "larger than http.max_body")


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("text/html; charset=utf-8", b"<html><body>Sign in</body></html>", "(text/html): not JSON"),
        ("application/json", b"{nope", "(application/json): not JSON"),
        ("application/json", b'[{"name": "svc", "full_name": "acme/svc"', "not JSON"),
        ("application/json", b"[" * 3000 + b"]" * 3000, "nested deeper than 64"),
        ("application/octet-stream", b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
    ids=["html-200", "garbage", "truncated", "deep", "binary"],
)
def test_an_answer_that_is_not_json_names_endpoint_status_and_type(scan, content_type, body, problem):
    with h.hostile(h.answer("200 OK", content_type, body)) as url:
        result = scan(url)
    error = assert_clean(result, "answered GET", "/orgs/acme/repos with 200", problem)
    assert "per_page" not in error  # the query is not part of the endpoint shown


def test_a_redirect_loop_is_one_clean_error(scan):
    with h.hostile(h.redirect_loop) as url:
        result = scan(url)
    assert_clean(result, "redirected GET", "in a loop")


def test_a_body_cut_short_by_the_server_is_a_network_failure_not_a_bug(scan):
    short = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n[1,"

    def cut(conn, _path):
        conn.sendall(short.encode())
        conn.close()
        raise ConnectionError

    with h.hostile(cut) as url:
        result = scan(url)
    assert_clean(result, "cannot reach GitHub", "after 2 attempts")
