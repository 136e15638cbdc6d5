"""deploy/nginx/minqing.conf: valid for Debian's nginx, and slow clients stay in nginx.

The site file is used as shipped, with only what must differ on a test machine
rewritten: ports (free ones on 127.0.0.1), the certificate paths (a self-signed
certificate made here) and the upstream port (a real ``minqing serve``). nginx runs
as the current user with its prefix, pid, logs and temp files in a temporary folder.

With ``CI=true`` a missing nginx fails the test (``.ci/setup`` installs nginx-light).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.config import ServerConfig
from tests.support.clock import FROZEN_NOW
from tests.support.paths import ROOT
from tests.support.serve import free_port, minqing_serve, served_sqlite_config
from tests.support.slowloris import Slowloris, p99
from tests.support.wecom import make_signer

SITE = ROOT / "deploy/nginx/minqing.conf"
SLOW_CONNECTIONS = 50
ATTACK_SECONDS = 12.0
# minqing serve's own deadline, short: a slow client that got past nginx would be cut
# (and logged) well inside the attack.
APP_REQUEST_TIMEOUT = 4


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI=true but nginx is not installed (.ci/setup installs nginx-light as root)")
    pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")


def self_signed(folder: Path) -> Path:
    """fullchain.pem and privkey.pem for 127.0.0.1 in ``folder``; returns the certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minqing-test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(FROZEN_NOW - dt.timedelta(days=1))
        .not_valid_after(FROZEN_NOW + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "fullchain.pem"


def rewritten_site(prefix: Path, http_port: int, https_port: int, app_port: int) -> str:
    """The shipped site with the test machine's ports and certificate folder."""
    text = SITE.read_text(encoding="utf-8")
    replacements = [
        (r"(?m)^(\s*listen\s+)80;", rf"\g<1>127.0.0.1:{http_port};"),
        (r"(?m)^(\s*listen\s+)443 ssl;", rf"\g<1>127.0.0.1:{https_port} ssl;"),
        (r"(?m)^(\s*server\s+)127\.0\.0\.1:8080;", rf"\g<1>127.0.0.1:{app_port};"),
        (r"/etc/ssl/minqing/", f"{prefix}/tls/"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        assert count >= 1, f"the site no longer has {pattern!r}: update this test"
    return text


def write_nginx_conf(prefix: Path, site: str) -> Path:
    """A minimal nginx.conf that includes ``site``, everything under ``prefix``."""
    (prefix / "minqing.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, workers would drop to "nobody", who cannot enter pytest's private tmp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log info;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log {prefix}/access.log;\n{temp}\n"
        f"    include {prefix}/minqing.conf;\n}}\n",
        encoding="utf-8",
    )
    (prefix / "temp").mkdir(exist_ok=True)
    return conf


def nginx_args(nginx: str, prefix: Path, conf: Path) -> list[str]:
    return [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]


def test_the_site_matches_the_app_defaults() -> None:
    text = SITE.read_text(encoding="utf-8")
    size = re.search(r"client_max_body_size\s+(\d+)k;", text)
    assert size and int(size.group(1)) * 1024 == ServerConfig().max_body_bytes
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        seconds = re.search(rf"{directive}\s+(\d+)s;", text)
        assert seconds and int(seconds.group(1)) <= 5, directive
    read = re.search(r"proxy_read_timeout\s+(\d+)s;", text)
    assert read and int(read.group(1)) > ServerConfig().request_timeout_seconds
    for on in ("proxy_buffering on;", "proxy_request_buffering on;", "proxy_http_version 1.1;"):
        assert on in text
    assert re.search(r"upstream minqing_web \{[^}]*keepalive \d+;", text)
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx = nginx_binary()
    self_signed(tmp_path / "tls")
    conf = write_nginx_conf(tmp_path, rewritten_site(tmp_path, 18080, 18443, 8080))
    done = subprocess.run(
        [*nginx_args(nginx, tmp_path, conf), "-t"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


@contextmanager
def running_nginx(nginx: str, prefix: Path, conf: Path, base: str, cert: Path) -> Iterator[None]:
    proc = subprocess.Popen(
        [*nginx_args(nginx, prefix, conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=(prefix / "nginx.stderr").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (prefix / "nginx.stderr").read_text(errors="replace")
            try:
                if requests.get(f"{base}/healthz", timeout=1, verify=str(cert)).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "nginx did not come up"
            time.sleep(0.1)  # polling interval of a readiness wait with a deadline
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class TlsSlowloris(Slowloris):
    """The slow connections of test_slow_clients.py, through TLS to nginx."""

    def __init__(self, port: int, count: int, seconds: float, cert: Path) -> None:
        super().__init__(port, count, seconds)
        self.tls = ssl.create_default_context(cafile=str(cert))
        # TLS 1.3 sends session tickets after the handshake: the socket would turn
        # readable at once and be counted as cut. 1.2 stays silent until nginx answers.
        self.tls.maximum_version = ssl.TLSVersion.TLSv1_2

    def _open(self, i: int) -> socket.socket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s = self.tls.wrap_socket(raw, server_hostname="127.0.0.1")
        if i % 2 == 0:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        else:
            s.sendall(
                b"POST /wecom/callback?msg_signature=x&timestamp=1&nonce=1 HTTP/1.1\r\n"
                b"Host: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 4000\r\n\r\n"
            )
        return s


@pytest.fixture
def app_config(tmp_path: Path, sqlite_template: Path) -> Path:
    return served_sqlite_config(
        tmp_path, sqlite_template, request_timeout_seconds=APP_REQUEST_TIMEOUT
    )


@pytest.mark.slow
def test_callbacks_answer_through_nginx_while_50_slow_connections_are_open(
    tmp_path: Path, app_config: Path
) -> None:
    nginx = nginx_binary()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    cert = self_signed(prefix / "tls")
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    conf = write_nginx_conf(prefix, rewritten_site(prefix, http_port, https_port, app_port))
    base = f"https://127.0.0.1:{https_port}"
    signer = make_signer(41)
    callback_ms: list[float] = []
    failures: list[str] = []
    log = tmp_path / "serve.log"
    with minqing_serve(app_config, app_port, log), running_nginx(nginx, prefix, conf, base, cert):
        # One client reusing its TLS connection, like WeCom's. ``verify`` goes with each
        # call: a session's own is overridden by $REQUESTS_CA_BUNDLE when that is set.
        http, verify = requests.Session(), str(cert)
        attack = TlsSlowloris(https_port, SLOW_CONNECTIONS, ATTACK_SECONDS, cert)
        attacker = threading.Thread(target=attack.run, daemon=True)
        attacker.start()
        assert attack.opened.wait(30) and attack.error is None, attack.error
        try:
            while attacker.is_alive():
                signer.now += 1
                cb = signer.text("zhangsan", "帮助")
                started = time.perf_counter()
                try:
                    resp = http.post(base + cb.path, data=cb.body, timeout=10, verify=verify)
                    callback_ms.append((time.perf_counter() - started) * 1000)
                    if resp.status_code != 200 or "可用指令" not in signer.reply_text(resp.content):
                        failures.append(f"callback: HTTP {resp.status_code}")
                except requests.RequestException as exc:
                    failures.append(f"callback: {type(exc).__name__}")
                attack.stop.wait(0.1)  # ~8 callbacks a second, not a load test
        finally:
            attack.stop.set()
            attacker.join(timeout=30)
        # nginx refuses a body over [server] max_body_bytes itself (413), as documented.
        body = b"x" * (ServerConfig().max_body_bytes + 1)
        too_big = http.post(base + cb.path, data=body, timeout=10, verify=verify)
    assert attack.error is None, attack.error
    cb_p99 = p99(callback_ms) if callback_ms else float("inf")
    print(
        f"\nnginx in front: {SLOW_CONNECTIONS} slow TLS connections for {ATTACK_SECONDS:.0f} s; "
        f"{len(callback_ms)} callbacks p50 {sorted(callback_ms)[len(callback_ms) // 2]:.0f} ms "
        f"p99 {cb_p99:.0f} ms (max {max(callback_ms, default=0):.0f}); "
        f"slow connections cut by nginx {sum(attack.cut_per_connection)} times; "
        f"failures {len(failures)}"
    )
    assert failures == [], failures[:10]
    assert len(callback_ms) >= 40  # the probes really ran throughout the attack
    assert cb_p99 < 2000, f"callback p99 {cb_p99:.0f} ms"
    assert too_big.status_code == 413
    # nginx's client_header_timeout cut every header trickler (they are the even ones).
    assert min(attack.cut_per_connection[0::2]) >= 1, attack.cut_per_connection
    # The slow clients never reached gunicorn: its own deadline never had to cut one.
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "slow clients" not in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
