"""The CA lock (SYS-1): a staff member's client certificate, issued by the configured CA
and bound to their account by its SHA-256 fingerprint.

TLS itself is terminated by the proxy in front of the app (nginx `ssl_verify_client
optional`); it forwards the certificate PEM (URL-escaped) in a header. We verify it again
here — issuer signature, validity period — so a misconfigured proxy cannot let an
arbitrary certificate through. Set-up: docs/ca-lock.md.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes

from geo.core.errors import DomainError

__all__ = ["CertificateError", "fingerprint", "load_client_certificate"]

log = logging.getLogger(__name__)


class CertificateError(DomainError):
    code = "CertificateError"
    status = 401


def _load_ca(path: str) -> tuple[x509.Certificate, ...]:
    """The CA certificates in the file (a bundle may hold the root and intermediates);
    re-read when the file changes, so a renewed CA needs no restart."""
    try:
        return _load_ca_file(path, Path(path).stat().st_mtime_ns)
    except (OSError, ValueError) as exc:
        log.error("CA file %s cannot be read: %s", path, exc)
        raise CertificateError("系统的 CA 证书配置有误，暂不能用 CA 锁登录，请联系管理员") from exc


@lru_cache(maxsize=4)
def _load_ca_file(path: str, _mtime_ns: int) -> tuple[x509.Certificate, ...]:
    certificates = tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    if not certificates:
        raise ValueError("no certificate in the file")
    return certificates


def fingerprint(cert: x509.Certificate) -> str:
    """Lower-case hex SHA-256 of the DER certificate (what `user_account` stores)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def _issued_by_any(cert: x509.Certificate, authorities: tuple[x509.Certificate, ...]) -> bool:
    for ca in authorities:
        try:
            cert.verify_directly_issued_by(ca)
            return True
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
    return False


def load_client_certificate(
    forwarded: str, *, ca_file: str, now: datetime | None = None
) -> x509.Certificate:
    """The certificate in the proxy's header if the CA issued it and it is valid now."""
    if not ca_file:
        raise CertificateError("系统未配置数字证书（CA）登录")
    try:
        cert = x509.load_pem_x509_certificate(unquote(forwarded).encode())
    except ValueError:
        raise CertificateError("数字证书无法识别，请重新插入 CA 锁") from None
    if not _issued_by_any(cert, _load_ca(ca_file)):
        raise CertificateError("数字证书不是本系统认可的机构签发的")
    now = now or datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateError("数字证书不在有效期内")
    return cert
