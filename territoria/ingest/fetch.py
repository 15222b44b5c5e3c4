"""Fetch a URL source into a file: conditional GET, time and size limits, public hosts only.

A source URL is typed by a producer and fetched by the platform from inside the region's
network, so it is a classic server-side request forgery door (an export URL pointing at
``http://169.254.169.254/`` or at an intranet service). The rules:

- ``http`` and ``https`` only, at every hop: a redirect to ``file:``, ``ftp:``… is refused;
- every address the host name resolves to must be public (``ipaddress.is_global``) unless
  ``allow_private`` (``TERRITORIA_SOURCES_ALLOW_PRIVATE``); the connection then goes to the
  address that was checked, so a second DNS answer cannot swap in an internal one (DNS
  rebinding); each redirect target is checked the same way, at most ``MAX_REDIRECTS`` of them;
- ``timeout`` seconds of silence (connection or read) fail the fetch, and so does a download
  longer than ``total_seconds``; a body over ``max_bytes`` is refused (announced by
  Content-Length or counted while streaming), never read into memory;
- ``If-None-Match``/``If-Modified-Since`` from the previous fetch: a 304 costs no download.

A failure is ``FetchUnavailable`` when trying again later may succeed (connection refused or
cut, silence, a DNS server that did not answer, HTTP 5xx, 408 or 429) and plain
``FetchFailed`` when it will not by itself (a 4xx, a refused address, a certificate that
does not match, a file over the cap): the refresh job retries the first only.

Proxies from the environment are not used: the checks are about the host we connect to.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import os
import re
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

from territoria import __version__

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Statuses that say "not now" rather than "no": the server is down, overloaded, or limits us.
UNAVAILABLE = frozenset({408, 429})
BLOCK = 1 << 16
USER_AGENT = f"Territoria/{__version__} (URL source refresh)"


class FetchFailed(Exception):
    """One-line reason a source could not be fetched (shown to the producer)."""


class FetchUnavailable(FetchFailed):
    """The network or the server failed for now: the same fetch may succeed later."""


# Told the bytes received so far and the size announced (None: unknown), once per block.
OnBlock = Callable[[int, int | None], None]


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 30.0
    max_bytes: int = 2048 * 1024 * 1024
    allow_private: bool = False
    total_seconds: float = 3600.0  # a 2 GB file at 1 MB/s still fits


@dataclass(frozen=True)
class Fetched:
    """The answer to a fetch. ``path`` is None when the source was not modified (304)."""

    url: str  # after redirects
    path: Path | None
    etag: str = ""
    last_modified: str = ""
    byte_size: int = 0

    @property
    def not_modified(self) -> bool:
        return self.path is None


def check_url(url: str, *, allow_private: bool = False) -> SplitResult:
    """Raise FetchFailed unless ``url`` is an http(s) URL with a host that may be fetched.

    Checks the text only (a literal address must be public); names are checked when fetched.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchFailed(f"invalid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(f"only http and https URLs are fetched, not {parts.scheme or 'a path'}")
    if not parts.hostname:
        raise FetchFailed("the URL has no host")
    if port == 0:
        raise FetchFailed("invalid URL: port 0")
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname == "localhost" and not allow_private:
            raise FetchFailed("localhost is not a public address") from None
        return parts
    _check_address(literal, parts.hostname, allow_private)
    return parts


def _check_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, host: str, allow_private: bool
) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if allow_private or (address.is_global and not address.is_multicast):
        return
    raise FetchFailed(f"{host} is not a public address ({address})")


def _resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses of ``host``, all checked: one private answer refuses the host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno == socket.EAI_AGAIN:  # the DNS server did not answer: not a verdict
            raise FetchUnavailable(f"{host}: name resolution failed for now") from None
        raise FetchFailed(f"unknown host {host}") from None
    except UnicodeError:
        raise FetchFailed(f"unknown host {host}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        _check_address(ipaddress.ip_address(address.split("%")[0]), host, allow_private)
    return addresses


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to ``address`` (already checked), for the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLSConnection(_PinnedConnection):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _request_target(parts: SplitResult) -> str:
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return path + (f"?{query}" if parts.query else "")


def _connect(parts: SplitResult, limits: FetchLimits) -> _PinnedConnection:
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchFailed(f"unknown host {host}") from None
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    last_error: OSError | None = None
    for address in _resolve(host, port, limits.allow_private):
        kind = _PinnedTLSConnection if tls else _PinnedConnection
        connection = kind(host, port, address, limits.timeout)
        try:
            connection.connect()
            return connection
        except OSError as error:
            connection.close()
            last_error = error
    raise _network_failure(last_error, host, limits)


def _network_failure(error: BaseException | None, host: str, limits: FetchLimits) -> FetchFailed:
    """The reason for a failed connection or read; a certificate error is the only one that
    waiting will not cure (a cut handshake, a silence or a refusal may)."""
    if isinstance(error, ssl.SSLCertVerificationError | ssl.CertificateError):
        return FetchFailed(f"{host}: TLS failed ({getattr(error, 'reason', None) or error})")
    if isinstance(error, ssl.SSLError):
        return FetchUnavailable(f"{host}: TLS failed ({getattr(error, 'reason', None) or error})")
    if isinstance(error, TimeoutError | socket.timeout):
        return FetchUnavailable(f"{host}: no answer within {limits.timeout:g} s")
    if isinstance(error, ConnectionRefusedError):
        return FetchUnavailable(f"{host}: connection refused")
    if isinstance(error, http.client.HTTPException):
        return FetchUnavailable(f"{host}: invalid HTTP answer")
    return FetchUnavailable(f"{host}: connection failed ({error})")


def _headers(parts: SplitResult, etag: str, last_modified: str) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if parts.username is not None:
        user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(user_pass.encode()).decode()
    return headers


def fetch(
    url: str,
    dest_dir: Path,
    *,
    etag: str = "",
    last_modified: str = "",
    limits: FetchLimits | None = None,
    on_block: OnBlock | None = None,
) -> Fetched:
    """GET ``url`` into a new file in ``dest_dir`` (the caller removes it).

    Returns ``Fetched`` (``path`` None for a 304). Raises FetchFailed with a one-line reason:
    HTTP status other than 200/304, refused URL or address, timeout, size over the cap
    (``FetchUnavailable`` when it may succeed later, see above). ``on_block`` follows the
    download (a job's progress); whatever it raises stops the fetch and removes the file.
    """
    limits = limits or FetchLimits()
    deadline = time.monotonic() + limits.total_seconds
    origin = urlsplit(url)
    for _ in range(MAX_REDIRECTS + 1):
        parts = check_url(url, allow_private=limits.allow_private)
        headers = _headers(parts, etag, last_modified)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            headers.pop("Authorization", None)  # credentials never follow to another host
        connection = _connect(parts, limits)
        try:
            try:
                connection.request("GET", _request_target(parts), headers=headers)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise _network_failure(error, parts.hostname or "", limits) from None
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchFailed(f"HTTP {response.status} without a Location")
                url = urljoin(url, location.strip())
                continue
            validators = {
                "etag": response.getheader("ETag", "") or etag,
                "last_modified": response.getheader("Last-Modified", "") or last_modified,
            }
            if response.status == 304:
                return Fetched(url=url, path=None, **validators)
            if response.status != 200:
                reason = f" {response.reason}" if response.reason else ""
                unavailable = response.status >= 500 or response.status in UNAVAILABLE
                failure = FetchUnavailable if unavailable else FetchFailed
                raise failure(f"HTTP {response.status}{reason}")
            path, size = _download(response, dest_dir, url, limits, deadline, on_block)
            return Fetched(url=url, path=path, byte_size=size, **validators)
        finally:
            connection.close()
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


def _download(
    response: http.client.HTTPResponse,
    dest_dir: Path,
    url: str,
    limits: FetchLimits,
    deadline: float,
    on_block: OnBlock | None = None,
) -> tuple[Path, int]:
    announced = response.getheader("Content-Length")
    total = int(announced) if announced and announced.isdigit() else None
    if total is not None and total > limits.max_bytes:
        raise FetchFailed(f"the file exceeds {limits.max_bytes // (1024 * 1024)} MB")
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest_dir, prefix="source-", suffix=_suffix(url))
    path, size = Path(name), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                try:
                    block = response.read(BLOCK)
                except (OSError, http.client.HTTPException) as error:
                    raise _network_failure(error, urlsplit(url).hostname or "", limits) from None
                if not block:
                    break
                size += len(block)
                if size > limits.max_bytes:
                    raise FetchFailed(f"the file exceeds {limits.max_bytes // (1024 * 1024)} MB")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"the download took longer than {limits.total_seconds:g} s")
                out.write(block)
                if on_block is not None:
                    on_block(size, total)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def _suffix(url: str) -> str:
    """The file name's extension in the URL, kept as a hint (readers tell formats by content)."""
    suffix = Path(urlsplit(url).path).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""
