"""The address people reach this server at, when BASE_URL does not say it.

Links that leave the page (emails, share links, QR codes, Stripe's return URLs) need an
absolute address. An operator sets BASE_URL; someone trying Aidons with `make run PORT=8101`
or `HOST=0.0.0.0` (to open it on a phone) should not have to: the address is derived from
where the server listens.
"""

import os
import socket

from app.config import get_settings

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def lan_address() -> str:
    """This machine's address on its network: the source address of a route outwards.

    Connecting a UDP socket sends nothing; it only asks the kernel which interface it would use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never contacted
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def listening_url(host: str, port: int) -> str:
    if host in WILDCARD_HOSTS:
        host = lan_address()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"


def settle_base_url(host: str, port: int) -> tuple[str, bool]:
    """The base URL for a server on host:port, and whether it came from BASE_URL.

    When derived, it is put in the environment so worker processes and later reads agree.
    """
    settings = get_settings()
    if settings.base_url_is_set:
        return settings.base_url, True
    derived = listening_url(host, port)
    os.environ["BASE_URL"] = derived
    get_settings.cache_clear()
    return derived, False
