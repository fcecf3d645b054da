"""The CA lock (SYS-1): a staff member's client certificate, issued by the configured CA
and bound to their account by its SHA-256 fingerprint.

TLS itself is terminated by the proxy in front of the app (nginx `ssl_verify_client
optional`); it forwards the certificate PEM (URL-escaped) in a header. We verify it again
here — issuer signature, validity period — so a misconfigured proxy cannot let an
arbitrary certificate through.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from geo.core.errors import DomainError

__all__ = ["CertificateError", "fingerprint", "load_client_certificate"]


class CertificateError(DomainError):
    code = "CertificateError"
    status = 401


@lru_cache(maxsize=4)
def _load_ca(path: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


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
    ca = _load_ca(ca_file)
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise CertificateError("数字证书不是本系统认可的机构签发的") from exc
    now = now or datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateError("数字证书不在有效期内")
    return cert
