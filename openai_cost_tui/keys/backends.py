"""Which keyring backend would keep a key, told honestly.

keyring picks a backend by priority, and a package such as ``keyrings.alt`` brings backends that keep
passwords in a plain file (``PlaintextKeyring``: base64, merely encoded) or in a file of its own. Such a
backend is no OS keyring: the tool treats it as insecure storage, like its own 0600 file, so it is
refused unless the user asks for ``--insecure-storage`` (which then writes the tool's own 0600 file),
and a key already kept there is labelled insecure wherever the connection is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

# The backends that hand the key to the operating system's own secret store.
OS_KEYRINGS = {
    "SecretService.Keyring": "Secret Service (GNOME Keyring / KeePassXC)",
    "libsecret.Keyring": "libsecret",
    "kwallet.DBusKeyring": "KWallet",
    "kwallet.DBusKeyringKWallet4": "KWallet",
    "macOS.Keyring": "macOS Keychain",
    "Windows.WinVaultKeyring": "Windows Credential Locker",
}
NOTHING = ("fail.Keyring", "null.Keyring")


@dataclass(frozen=True)
class Backend:
    """``kind``: ``os`` (an OS secret store), ``other`` (a backend this tool does not know, e.g. one a
    test installs), ``insecure`` (a plain, encoded or self-made file), ``none`` (nothing can be kept)."""

    kind: str
    name: str  # module.Class, e.g. "keyrings.alt.file.PlaintextKeyring"
    why: str = ""  # for insecure and none: a sentence saying why

    @property
    def usable(self) -> bool:
        return self.kind in ("os", "other")

    @property
    def label(self) -> str:
        """How a key kept in this backend is shown (``keyring`` as before for a real one)."""
        if self.kind == "insecure":
            return f"keyring (INSECURE: {self.name.rsplit('.', 2)[-2]}.{self.name.rsplit('.', 1)[-1]})"
        return "keyring"


def classify(backend: object) -> Backend:
    """The backend keyring would write to: for a chain, the first one that can store anything."""
    inner = getattr(backend, "backends", None)
    items = list(inner) if inner is not None else [backend]
    for item in items:
        found = _one(item)
        if found.kind != "none":
            return found
    if any(_short(b) == "null.Keyring" for b in items):
        return Backend("none", "null.Keyring", "keyring is set to its 'null' backend, which cannot store anything")
    return Backend("none", _full(items[0]) if items else "none",
                   "no OS keyring backend was found (no Secret Service, KWallet or Keychain answered)")


def _one(backend: object) -> Backend:
    short, full = _short(backend), _full(backend)
    if short in NOTHING:
        return Backend("none", full)
    module = type(backend).__module__
    if short in OS_KEYRINGS and module.startswith("keyring.backends."):
        return Backend("os", full)
    name = type(backend).__name__.lower()
    if module.startswith("keyrings.alt") or hasattr(backend, "file_path") or "plaintext" in name:
        return Backend("insecure", full, (
            f"this system's keyring keeps keys in a plain file of its own, not in an OS keyring (its backend is "
            f"{type(backend).__name__} from {module.split('.')[0]}), so this tool counts it as insecure storage"))
    return Backend("other", full)


def _short(backend: object) -> str:
    return f"{type(backend).__module__.rsplit('.', 1)[-1]}.{type(backend).__name__}"


def _full(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"
