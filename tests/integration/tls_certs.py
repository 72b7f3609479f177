"""Certificates for TLS tests, made with the openssl CLI:

    certs = TestCertificates(directory)
    certs.ca, certs.ca_key               a CA
    certs.server_cert, certs.server_key  signed by the CA, for DNS:localhost
                                         only (not 127.0.0.1: a client that
                                         checks names must refuse that);
                                         server_names=[...] names others
                                         ("IP:127.0.0.1", "DNS:...")
    certs.other_ca                       an unrelated CA (the "wrong CA")
    certs.client_cert, certs.client_key  signed by the CA (mutual TLS)

All are PEM files in `directory`; keys are unencrypted RSA 2048, valid for
two days.
"""

import os
import subprocess


def _openssl(*args):
    p = subprocess.run(["openssl"] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], p.stderr.strip()))


class TestCertificates:
    def __init__(self, directory, server_names=("DNS:localhost",)):
        os.makedirs(directory, exist_ok=True)

        def path(name):
            return os.path.join(directory, name)

        self.ca, self.ca_key = path("ca.pem"), path("ca.key")
        self.other_ca, other_ca_key = path("other-ca.pem"), path("other-ca.key")
        self.server_cert, self.server_key = path("server.pem"), path("server.key")
        self.client_cert, self.client_key = path("client.pem"), path("client.key")
        for cert, key, name in ((self.ca, self.ca_key, "kafka-sidecar test CA"),
                                (self.other_ca, other_ca_key, "unrelated test CA")):
            _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                     "-subj", "/CN=" + name, "-keyout", key, "-out", cert)
        server_ext = path("server.ext")
        with open(server_ext, "w") as f:
            f.write("subjectAltName=%s\n" % ",".join(server_names))
        for cert, key, cn, ext in ((self.server_cert, self.server_key, "localhost", server_ext),
                                   (self.client_cert, self.client_key, "kafka-sidecar", None)):
            csr = cert + ".csr"
            _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn,
                     "-keyout", key, "-out", csr)
            _openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                     "-CAcreateserial", "-days", "2", "-out", cert,
                     *(["-extfile", ext] if ext else []))
