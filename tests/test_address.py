"""BASE_URL, when unset, follows the address the server listens on."""

import ipaddress

import pytest

from app import address, cli
from app.config import get_settings


@pytest.fixture
def no_base_url(monkeypatch):
    # Empty counts as unset; setenv (not delenv) so the value settle_base_url writes is undone.
    monkeypatch.setenv("BASE_URL", "")
    monkeypatch.chdir("/")  # no .env file to read it from
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_unset_base_url_is_the_listening_address(no_base_url):
    assert not get_settings().base_url_is_set
    base, from_setting = address.settle_base_url("127.0.0.1", 8101)
    assert (base, from_setting) == ("http://127.0.0.1:8101", False)
    assert get_settings().base_url == "http://127.0.0.1:8101"


def test_a_wildcard_host_becomes_an_address_a_phone_can_reach(no_base_url):
    base, _ = address.settle_base_url("0.0.0.0", 8000)
    host = base.removeprefix("http://").rsplit(":", 1)[0]
    assert not ipaddress.ip_address(host).is_unspecified


def test_a_set_base_url_wins(no_base_url, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://give.example.org/")
    get_settings.cache_clear()
    assert address.settle_base_url("0.0.0.0", 8101) == ("https://give.example.org", True)


def test_serve_says_which_address_it_uses(no_base_url, monkeypatch, capsys):
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    cli.main(["serve", "--port", "8101"])
    out = capsys.readouterr().out
    assert "links use http://127.0.0.1:8101 (derived from --host 127.0.0.1 --port 8101)" in out
