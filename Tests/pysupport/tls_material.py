"""Certificates for the TLS tests, made with the `openssl` command: a test CA, a server certificate it signed for
localhost and 127.0.0.1, one it signed for another name, and a self-signed one."""

from __future__ import annotations

import base64
import hashlib
import ssl
import subprocess
from pathlib import Path


def _openssl(*args: str):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class CertificateAuthority:
    def __init__(self, directory: Path):
        self.dir = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.ca = directory / "ca.pem"
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(directory / "ca.key"),
                 "-out", str(self.ca), "-days", "2", "-subj", "/CN=Maestro Test CA")
        self.server_cert, self.server_key = self._signed("server", "DNS:localhost,IP:127.0.0.1")
        self.other_cert, self.other_key = self._signed("other", "DNS:other.example")
        self.self_signed_cert = directory / "self-signed.pem"
        self.self_signed_key = directory / "self-signed.key"
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.self_signed_key),
                 "-out", str(self.self_signed_cert), "-days", "2", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")

    def _signed(self, name: str, names: str) -> tuple[Path, Path]:
        key, request, cert = (self.dir / f"{name}.{suffix}" for suffix in ("key", "csr", "pem"))
        extensions = self.dir / f"{name}.ext"
        extensions.write_text(f"subjectAltName={names}\nbasicConstraints=CA:FALSE\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(request),
                 "-subj", f"/CN={name}")
        _openssl("x509", "-req", "-in", str(request), "-CA", str(self.ca), "-CAkey", str(self.dir / "ca.key"),
                 "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(extensions))
        return cert, key

    def client_context(self) -> ssl.SSLContext:
        """A Python TLS context that trusts the test CA."""
        return ssl.create_default_context(cafile=str(self.ca))

    def spki_hash(self, certificate: Path | None = None) -> str:
        """base64 SHA-256 of the certificate's public key: what Chromium's --ignore-certificate-errors-spki-list
        takes to trust exactly that key."""
        text = subprocess.run(["openssl", "x509", "-in", str(certificate or self.server_cert), "-pubkey", "-noout"],
                              check=True, capture_output=True, text=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=text.encode(), check=True,
                             capture_output=True).stdout
        return base64.b64encode(hashlib.sha256(der).digest()).decode()
