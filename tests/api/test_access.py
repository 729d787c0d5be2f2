"""Access control: revocation takes effect at once, rate limits per key and per address, 429 in the error shape."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.db import migrate
from api.keys import create_key, list_keys, revoke_key
from api.limits import ProcessCounters
from subsidy.cli import main

SHAPE = {"code", "status", "message", "errors"}
ESTIMATE = {"city": "wuhan", "profile": {"entity_type": "enterprise"}}


def test_a_revoked_key_stops_working_with_the_next_request(app: Flask, client: FlaskClient) -> None:
    session = app.extensions["database"].sessions()
    key = create_key(session, "carol")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/companies", headers=headers).status_code == 200
    carol = next(k for k in list_keys(session) if k.name == "carol")
    assert revoke_key(session, carol.id) is not None
    session.close()
    for response in (client.get("/api/v1/companies", headers=headers), client.post("/api/v1/estimates", json=ESTIMATE, headers=headers)):
        assert response.status_code == 401
        assert set(response.json) == SHAPE and "revoked" in response.json["message"]


def test_keys_list_and_revoke_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    runner = CliRunner()
    key = runner.invoke(main, ["keys", "create", "adviser"]).output.strip().splitlines()[-1]
    listed = runner.invoke(main, ["keys", "list"])
    assert listed.exit_code == 0 and "adviser" in listed.output and "active" in listed.output and key not in listed.output
    key_id = listed.output.split("\t")[0]
    revoked = runner.invoke(main, ["keys", "revoke", key_id])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert "revoked" in runner.invoke(main, ["keys", "list"]).output
    missing = runner.invoke(main, ["keys", "revoke", "999"])
    assert missing.exit_code == 2 and "no key 999" in missing.output
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}", "TESTING": True})
    assert app.test_client().get("/api/v1/companies", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def limited_app(tmp_path: Path, **limits: str) -> Flask:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    migrate(url)
    return create_app({"DATABASE_URL": url, "TESTING": True, **limits})


def test_the_address_limit_answers_429_in_the_error_shape(tmp_path: Path) -> None:
    client = limited_app(tmp_path, RATE_LIMIT_PER_ADDRESS="3/minute").test_client()
    answers = [client.post("/api/v1/estimates", json=ESTIMATE) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("Retry-After" not in a.headers for a in answers)  # only a refusal says when to come back
    refused = client.get("/api/v1/rules")  # counted across routes
    assert refused.status_code == 429
    assert set(refused.json) == SHAPE and "3 in 60 seconds" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    in_chinese = client.get("/api/v1/rules", headers={"Accept-Language": "zh"})
    assert in_chinese.json["message"] == "请求过多：限额为每60秒3次。请在 Retry-After 给出的秒数后重试。"
    assert client.get("/api/v1/healthz").status_code == 200  # monitoring is never throttled
    other = client.post("/api/v1/estimates", json=ESTIMATE, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200  # another address has its own allowance


def test_each_key_has_its_own_allowance(tmp_path: Path) -> None:
    app = limited_app(tmp_path, RATE_LIMIT_PER_KEY="2/minute", RATE_LIMIT_PER_ADDRESS="100/minute")
    session = app.extensions["database"].sessions()
    alice, bob = ({"Authorization": f"Bearer {create_key(session, name)}"} for name in ("alice", "bob"))
    session.close()
    client = app.test_client()
    assert [client.post("/api/v1/estimates", json=ESTIMATE, headers=alice).status_code for _ in range(3)] == [200, 200, 429]
    assert client.post("/api/v1/estimates", json=ESTIMATE, headers=bob).status_code == 200
    assert client.post("/api/v1/estimates", json=ESTIMATE).status_code == 200  # anonymous: the address limit only
    guessed = {"Authorization": "Bearer sk_guess"}
    assert [client.get("/api/v1/companies", headers=guessed).status_code for _ in range(3)] == [401, 401, 429]


def test_each_limit_costs_one_increment_and_one_expiry_read_per_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With counters in Redis each call is a trip over the network: the count the increment returns
    # gives the headers, so the counter is not read a second time.
    app = limited_app(tmp_path, RATE_LIMIT_PER_KEY="5/minute", RATE_LIMIT_PER_ADDRESS="10/minute")
    with app.extensions["database"].sessions() as session:
        alice = {"Authorization": f"Bearer {create_key(session, 'alice')}"}
    storage = app.extensions["rate_limits"].storage
    calls: list[str] = []
    for name in ("incr", "get", "get_expiry"):
        method = getattr(storage, name)
        monkeypatch.setattr(storage, name, lambda *args, _name=name, _method=method, **kwargs: (calls.append(_name), _method(*args, **kwargs))[1])
    client = app.test_client()
    keyed = client.post("/api/v1/estimates", json=ESTIMATE, headers=alice)
    assert keyed.status_code == 200 and (keyed.headers["X-RateLimit-Limit"], keyed.headers["X-RateLimit-Remaining"]) == ("5", "4")
    assert sorted(calls) == ["get_expiry", "get_expiry", "incr", "incr"]  # the address's limit and the key's


def test_answers_show_the_limit_closest_to_refusing(tmp_path: Path) -> None:
    app = limited_app(tmp_path, RATE_LIMIT_PER_KEY="5/minute", RATE_LIMIT_PER_ADDRESS="10/minute")
    with app.extensions["database"].sessions() as session:
        alice = {"Authorization": f"Bearer {create_key(session, 'alice')}"}
    client = app.test_client()
    first = client.post("/api/v1/estimates", json=ESTIMATE)  # anonymous: only the address limit applies
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("10", "9")
    assert 0 < int(first.headers["X-RateLimit-Reset"]) - int(time.time()) <= 61
    keyed = client.post("/api/v1/estimates", json=ESTIMATE, headers=alice)  # the key's 5 are closer than the address's 8
    assert (keyed.headers["X-RateLimit-Limit"], keyed.headers["X-RateLimit-Remaining"]) == ("5", "4")
    assert "X-RateLimit-Limit" not in client.get("/api/v1/healthz").headers  # not counted, so nothing to show
    assert client.get("/api/v1/no-such-route").status_code == 404  # an unknown route is not counted
    assert client.get("/api/v1/rules").headers["X-RateLimit-Remaining"] == "7"


def test_each_app_counts_on_its_own(tmp_path: Path) -> None:
    one = limited_app(tmp_path, RATE_LIMIT_PER_ADDRESS="1/minute").test_client()
    two = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}", "TESTING": True, "RATE_LIMIT_PER_ADDRESS": "2/minute"}).test_client()
    assert one.get("/api/v1/rules").status_code == 200
    assert [two.get("/api/v1/rules").status_code for _ in range(3)] == [200, 200, 429]
    assert one.get("/api/v1/rules").status_code == 429  # its own limit and counter, not the other app's


def test_a_window_counts_until_it_ends_and_starts_afresh_after(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000.0]
    monkeypatch.setattr("api.limits.time.time", lambda: clock[0])
    counters = ProcessCounters()
    assert [counters.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.incr("b", 60) == 1  # each key its own counter
    clock[0] = 1_059.999  # the last instant of the window: still counted in it
    assert (counters.get("a"), counters.get_expiry("a")) == (3, 1_060.0)
    assert counters.incr("a", 60) == 4
    clock[0] = 1_060.0  # the window has ended: the count starts again, with a new window
    assert (counters.get("a"), counters.get_expiry("a")) == (0, 1_060.0)
    assert counters.incr("a", 60) == 1 and counters.get_expiry("a") == 1_120.0
    counters.clear("a")
    assert counters.get("a") == 0 and counters.get("b") == 0  # b's window ended at 1,060 too


def test_expired_counters_are_swept_at_most_once_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000.0]
    monkeypatch.setattr("api.limits.time.time", lambda: clock[0])
    counters = ProcessCounters()
    for address in range(100):
        counters.incr(f"client-{address}", 1)
    clock[0] = 1_059.0  # every window has ended, but no sweep is due yet
    counters.incr("late", 3600)
    assert len(counters._counters) == 101
    clock[0] = 1_060.0  # the sweep is due: the first request to arrive drops the ended windows
    counters.incr("late", 3600)
    assert set(counters._counters) == {"late"} and counters.get("late") == 2
    assert counters.reset() == 1 and counters.get("late") == 0


def test_the_default_counters_are_this_process_and_others_the_limits_library(tmp_path: Path) -> None:
    assert isinstance(limited_app(tmp_path).extensions["rate_limits"].storage, ProcessCounters)
    redis = limited_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0").extensions["rate_limits"].storage
    assert type(redis).__module__.startswith("limits.storage")


def test_a_limit_that_cannot_be_read_stops_the_start_naming_its_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RATE_LIMIT_PER_KEY: 'many per minute'"):
        limited_app(tmp_path, RATE_LIMIT_PER_KEY="many per minute")


def test_unreachable_counters_answer_503_in_the_error_shape(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = limited_app(tmp_path, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0").test_client()
    refused = client.post("/api/v1/estimates", json=ESTIMATE)
    assert refused.status_code == 503 and set(refused.json) == SHAPE
    assert "rate-limit counters" in refused.json["message"] and int(refused.headers["Retry-After"]) > 0
    in_chinese = client.get("/api/v1/rules", headers={"Accept-Language": "zh"})
    assert in_chinese.status_code == 503 and in_chinese.json["message"].startswith("无法连接限流计数器")
    assert client.get("/api/v1/healthz").status_code == 200  # health is not counted, so it still answers
