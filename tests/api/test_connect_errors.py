"""A connection that fails says why, and names what it tried: a certificate that is not
trusted, a name that does not resolve, a port that refuses. What waiting cannot mend (a
certificate, an unknown name) is not retried."""

from __future__ import annotations

import asyncio
import datetime
import random
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import NOT_SENT, DixaNetworkError
from dixa_tui.api.ratelimit import RetryPolicy

pytestmark = pytest.mark.loopback
POLICY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, rng=random.Random(3))


def counting(cause: BaseException) -> tuple[httpx.MockTransport, list[int]]:
    """A transport whose every connection fails with ``cause`` (as httpx chains it)."""
    tries: list[int] = []

    def fail(request: httpx.Request) -> httpx.Response:
        tries.append(1)
        raise httpx.ConnectError(str(cause), request=request) from cause

    return httpx.MockTransport(fail), tries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_refused_connection_names_the_url_and_the_port() -> None:
    port = free_port()  # closed again: nothing listens there
    async with DixaClient("k", base_url=f"http://127.0.0.1:{port}", rate=0,
                          retry=POLICY) as client:
        with pytest.raises(DixaNetworkError) as info:
            await client.list_definitions()
        assert client.stats.requests == POLICY.max_attempts  # refused: worth retrying
    text = str(info.value)
    assert f"could not connect to http://127.0.0.1:{port}/beta:" in text
    assert f"connection refused by 127.0.0.1:{port}" in text
    assert not info.value.reached and info.value.outcome == NOT_SENT


async def test_an_unknown_name_is_named_and_not_retried() -> None:
    transport, tries = counting(socket.gaierror(socket.EAI_NONAME,
                                                      "Name or service not known"))
    async with DixaClient("k", base_url="https://dixa.example.invalid", rate=0, retry=POLICY,
                          transport=transport) as client:
        with pytest.raises(DixaNetworkError) as info:
            await client.list_definitions()
    assert "name dixa.example.invalid could not be resolved" in str(info.value)
    assert "could not connect to https://dixa.example.invalid/beta:" in str(info.value)
    assert len(tries) == 1 and "host name" in info.value.hint


async def test_a_temporary_resolver_failure_is_retried() -> None:
    transport, tries = counting(socket.gaierror(socket.EAI_AGAIN,
                                                      "Temporary failure in name resolution"))
    async with DixaClient("k", base_url="https://dixa.example", rate=0, retry=POLICY,
                          transport=transport) as client:
        with pytest.raises(DixaNetworkError, match="could not be resolved"):
            await client.list_definitions()
    assert len(tries) == POLICY.max_attempts


async def test_a_real_unresolvable_name_over_the_network_stack() -> None:
    try:
        socket.getaddrinfo("no-such-host.invalid", 443)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"this machine's resolver answers {exc.errno}, not 'no such name'")
    else:
        pytest.skip("this machine's resolver resolves .invalid names")
    async with DixaClient("k", base_url="https://no-such-host.invalid", rate=0,
                          retry=POLICY) as client:
        with pytest.raises(DixaNetworkError, match=r"name no-such-host\.invalid could not be "
                                                   "resolved"):
            await client.list_definitions()
        assert client.stats.requests == 1


def self_signed(tmp: Path) -> ssl.SSLContext:
    crypto = pytest.importorskip("cryptography")
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    return context


async def test_an_untrusted_certificate_is_named_and_not_retried(tmp_path: Path) -> None:
    context = self_signed(tmp_path)
    handshakes: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    def counted(*args: object, **kwargs: object) -> asyncio.Protocol:
        handshakes.append(1)
        return asyncio.StreamReaderProtocol(asyncio.StreamReader(), handle)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(counted, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        async with DixaClient("k", base_url=f"https://127.0.0.1:{port}", rate=0,
                              retry=POLICY) as client:
            with pytest.raises(DixaNetworkError) as info:
                await client.list_definitions()
    finally:
        server.close()
    text = str(info.value)
    assert "certificate verification failed for 127.0.0.1" in text
    assert "self-signed" in text or "self signed" in text
    assert len(handshakes) == 1  # waiting does not make a certificate trusted
    assert "certificate" in info.value.hint


async def test_the_url_in_a_message_is_the_apis_never_a_query() -> None:
    transport, _ = counting(ConnectionRefusedError(111, "Connection refused"))
    async with DixaClient("k", base_url="http://h.example:8080", rate=0, retry=POLICY,
                          transport=transport) as client:
        with pytest.raises(DixaNetworkError) as info:
            await client.find_end_users(email="someone@example.com")
    assert str(info.value) == ("find end users by email: could not connect to "
                               "http://h.example:8080/beta: connection refused by "
                               "h.example:8080")


def test_a_password_in_the_base_url_is_refused_by_the_client() -> None:
    with pytest.raises(ValueError, match="user name or password") as info:
        DixaClient("k", base_url="http://user:s3cret@127.0.0.1:1")
    assert "s3cret" not in str(info.value)


async def test_a_port_out_of_range_is_a_typed_error_not_an_exception_group() -> None:
    async with DixaClient("k", base_url="http://127.0.0.1:99999", rate=0,
                          retry=POLICY) as client:
        with pytest.raises(DixaNetworkError, match="port") as info:
            await client.list_definitions()
        assert client.stats.requests == 0 or not info.value.reached
