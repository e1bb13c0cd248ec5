"""Webhook endpoint signing secrets at rest. Where the operator sets PAYINTENTS_MASTER_KEY (a
Fernet key: `payintents master-key` makes one), a secret is stored encrypted with it
(`cryptography`'s Fernet: AES-128-CBC with an HMAC-SHA256) and decrypted only to sign a
delivery or to show it once in the create response. Without the key secrets are stored as
they are, as before.

An endpoint's private part is `{"secret": ...}` in plaintext or `{"secret_encrypted": ...}`.
Plaintext rows keep working once a key is set, and are encrypted on their next write or by
`payintents migrate`. A store holding encrypted secrets that the key in force cannot open
(no key, another key) is refused at start, in one line, rather than failing each delivery.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from payintents.store.base import Store

# cryptography is imported only where a master key is in use: loading its bindings is a
# sizeable part of a start that needs none.
if TYPE_CHECKING:
    from cryptography.fernet import Fernet

MASTER_KEY_ENV = "PAYINTENTS_MASTER_KEY"
PLAIN = "secret"
SEALED = "secret_encrypted"


class VaultError(Exception):
    """The master key is malformed, missing or not the one the secrets were sealed with."""


def new_master_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class Vault:
    def __init__(self, master_key: str | None) -> None:
        self.fernet: Fernet | None = None
        if master_key:
            from cryptography.fernet import Fernet

            try:
                self.fernet = Fernet(master_key.strip().encode())
            except ValueError:
                raise VaultError(
                    f"{MASTER_KEY_ENV} is not a Fernet key (32 bytes in url-safe base64); "
                    "make one with `payintents master-key`"
                ) from None

    @classmethod
    def from_env(cls) -> Vault:
        return cls(os.environ.get(MASTER_KEY_ENV))

    def seal(self, secret: str) -> dict[str, str]:
        """The private part that stores `secret`."""
        if self.fernet is None:
            return {PLAIN: secret}
        return {SEALED: self.fernet.encrypt(secret.encode()).decode()}

    def open(self, private: dict[str, Any]) -> str:
        """The secret a private part stores."""
        if SEALED not in private:
            return str(private[PLAIN])
        if self.fernet is None:
            raise VaultError(
                f"webhook signing secrets are stored encrypted, and {MASTER_KEY_ENV} is not set"
            )
        from cryptography.fernet import InvalidToken

        try:
            return self.fernet.decrypt(private[SEALED].encode()).decode()
        except InvalidToken:
            raise VaultError(
                f"webhook signing secrets cannot be decrypted with {MASTER_KEY_ENV}: it is not "
                "the key they were encrypted with"
            ) from None

    def reseal(self, private: dict[str, Any]) -> dict[str, Any]:
        """A private part as it is written now: a plaintext secret encrypted, if a key is set."""
        if self.fernet is None or SEALED in private:
            return private
        rest = {k: v for k, v in private.items() if k != PLAIN}
        return {**rest, **self.seal(str(private[PLAIN]))}

    def check(self, store: Store) -> None:
        """Every stored secret can be opened with the key in force, or VaultError."""
        for _, record in _endpoints(store):
            self.open(record.private)

    def encrypt_stored(self, store: Store) -> int:
        """Encrypt the plaintext secrets of the store (`migrate` with a key); how many."""
        if self.fernet is None:
            return 0
        count = 0
        for scope, record in _endpoints(store):
            if SEALED in record.private:
                continue
            with store.write() as tx:
                current = tx.get_for_update("webhook_endpoint", scope, record.data["id"])
                if current is not None and SEALED not in current.private:
                    tx.update("webhook_endpoint", scope, current.data, self.reseal(current.private))
                    count += 1
        return count


def _endpoints(store: Store) -> list[tuple[str, Any]]:
    """(scope, record) of every webhook endpoint; read once at start, or by `migrate`."""
    with store.read() as tx:
        rows = tx.execute("SELECT scope, id FROM webhook_endpoints ORDER BY seq")
        found = [(scope, tx.get("webhook_endpoint", scope, eid)) for scope, eid in rows]
    return [(scope, record) for scope, record in found if record is not None]
