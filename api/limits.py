"""Rate limits: per API key and per client address, answered with a 429 in the service's error shape.

Limits come from the configuration (``RATE_LIMIT_PER_KEY``, ``RATE_LIMIT_PER_ADDRESS``, in the
notation of the ``limits`` library such as ``"600/minute"`` or ``"100/minute;2000/hour"``; ``"off"``
disables one) and are counted across all routes, in fixed windows. Counters live in
``RATELIMIT_STORAGE_URI``: the default ``memory://`` counts per worker process (in
``ProcessCounters``), so with N gunicorn workers a client may reach N times the limit; point it at
Redis (``redis://...``, with the ``redis`` package installed) to count across workers and machines.
While that storage cannot be reached, the API answers 503 with ``Retry-After`` (a limit that cannot
be counted is not waived).

The counting, its windows and its storages are the ``limits`` library's (the one Flask-Limiter is
built on). What is here is only how the service applies it: two limits, known when the service
starts, checked before each request with a counter increment each (and a read of its expiry for
the headers). Flask-Limiter's request hook
resolves every limit afresh on each request (exemptions, blueprints, decorated views, the limit
strings parsed again), which cost more than a third of an estimate request (docs/serving.md).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, g, request
from flask_smorest import abort
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, StorageTypes, storage_from_string
from limits.util import WindowStats

__all__ = ["ProcessCounters", "RateLimits", "init_limits"]

#: Seconds a client is asked to wait while the counters' storage cannot be reached.
STORAGE_RETRY_AFTER = 5


class ProcessCounters(Storage):
    """Fixed-window counters in this process's memory: the storage behind ``memory://``.

    The ``limits`` library's own memory storage drops expired counters from a timer thread, which
    it starts afresh every 10 ms while requests arrive: about a tenth of a served request's processor
    time went into starting and running those threads (docs/serving.md). Here a counter whose window
    has passed is dropped when it is next counted or read, and every expired one at most once a
    minute, on the request that finds the sweep due. One lock guards the counters, for the worker's threads.
    """

    #: Seconds between sweeps of expired counters.
    SWEEP_EVERY = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._counters: dict[str, list[float]] = {}  # key -> [count, expiry (seconds since the epoch)]
        self._lock = threading.Lock()
        self._next_sweep = time.time() + self.SWEEP_EVERY

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            counter = self._counters.get(key)
            if counter is None or counter[1] <= now:
                counter = self._counters[key] = [0, now + expiry]
            counter[0] += amount
            return int(counter[0])

    def get(self, key: str) -> int:
        counter = self._counters.get(key)
        return 0 if counter is None or counter[1] <= time.time() else int(counter[0])

    def get_expiry(self, key: str) -> float:
        now = time.time()
        counter = self._counters.get(key)
        return now if counter is None or counter[1] <= now else counter[1]

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            cleared = len(self._counters)
            self._counters.clear()
        return cleared

    def clear(self, key: str) -> None:
        with self._lock:
            self._counters.pop(key, None)

    def _sweep(self, now: float) -> None:
        self._counters = {key: counter for key, counter in self._counters.items() if counter[1] > now}
        self._next_sweep = now + self.SWEEP_EVERY


def _storage(uri: str) -> Storage:
    """The counters' storage named by ``RATELIMIT_STORAGE_URI``: this process's memory, or the ``limits`` library's (Redis and others)."""
    if uri.strip().lower() == "memory://":
        return ProcessCounters(wrap_exceptions=True)
    storage: StorageTypes = storage_from_string(uri, wrap_exceptions=True)
    if not isinstance(storage, Storage):  # an async+ storage: the service counts synchronously
        raise ValueError(f"RATELIMIT_STORAGE_URI: {uri!r} names an asynchronous storage; use its synchronous form (without 'async+')")
    return storage


def _key_bucket(authorization: str) -> str:
    """The bearer token's digest: a key's requests share one counter, and no key is kept in the counters."""
    token = authorization.partition(" ")[2].strip()
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _items(setting: object, name: str) -> tuple[RateLimitItem, ...]:
    value = str(setting).strip()
    if value.lower() in ("off", "0", ""):
        return ()
    try:
        return tuple(parse_many(value))
    except ValueError as error:
        raise ValueError(f"{name}: {value!r} is not a rate limit such as '600/minute' ({error})") from None


def _remaining(shown: tuple[WindowStats, RateLimitItem]) -> int:
    return shown[0].remaining


@dataclass
class RateLimits:
    """The service's two limits on one app: per client address, and per API key for requests that carry one."""

    per_address: tuple[RateLimitItem, ...]
    per_key: tuple[RateLimitItem, ...]
    #: Where the fixed windows are counted (the ``limits`` library's storage interface).
    storage: Storage
    #: Blueprints whose routes are not counted (health checks, the pages for people).
    exempt_blueprints: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, app: Flask) -> RateLimits:
        config = app.config
        storage = _storage(config["RATELIMIT_STORAGE_URI"])
        return cls(
            per_address=_items(config["RATE_LIMIT_PER_ADDRESS"], "RATE_LIMIT_PER_ADDRESS"),
            per_key=_items(config["RATE_LIMIT_PER_KEY"], "RATE_LIMIT_PER_KEY"),
            storage=storage,
        )

    def exempt(self, blueprint: Blueprint) -> None:
        self.exempt_blueprints.add(blueprint.name)

    def check(self) -> None:
        """Count this request against each limit that applies; refuse it at the first one used up."""
        endpoint = request.endpoint
        if endpoint is None or endpoint == "static" or request.blueprint in self.exempt_blueprints:
            return  # no such route (a 404 is not counted), or a route the limits leave alone
        counted = [(item, "address", request.remote_addr or "127.0.0.1") for item in self.per_address]
        authorization = request.headers.get("Authorization", "").strip()
        if authorization and self.per_key:
            bucket = _key_bucket(authorization)
            counted += [(item, "key", bucket) for item in self.per_key]
        storage = self.storage
        shown: list[tuple[WindowStats, RateLimitItem]] = []
        try:
            for item, scope, who in counted:
                # What the library's FixedWindowRateLimiter.hit does (one increment of the window's
                # counter), keeping the count it returns for the headers: its get_window_stats would
                # read the counter again, a second trip to the storage (to Redis, when shared).
                key = item.key_for(scope, who)
                count = storage.incr(key, item.get_expiry())
                stats = WindowStats(storage.get_expiry(key), max(0, item.amount - count))
                if count > item.amount:
                    g.rate_limit = stats, item
                    abort(
                        429,
                        message=f"Too many requests: the limit is {item.amount} in {item.get_expiry()} seconds. Retry after the seconds given in Retry-After.",
                        headers={"Retry-After": str(max(1, int(stats.reset_time - time.time()) + 1))},
                    )
                shown.append((stats, item))
            if shown:  # the headers describe the limit closest to refusing this client
                g.rate_limit = min(shown, key=_remaining)
        except StorageError:
            abort(
                503,
                message="The rate-limit counters cannot be reached; nothing was done. Retry after the seconds given in Retry-After.",
                headers={"Retry-After": str(STORAGE_RETRY_AFTER)},
            )

    @staticmethod
    def headers(response: Response) -> Response:
        """``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds since the epoch) of the closest limit."""
        shown = g.pop("rate_limit", None)
        if shown is not None:
            (reset, remaining), item = shown
            response.headers.extend(
                (("X-RateLimit-Limit", str(item.amount)), ("X-RateLimit-Remaining", str(remaining)), ("X-RateLimit-Reset", str(int(reset))))
            )
        return response


def init_limits(app: Flask) -> RateLimits:
    """Count the app's requests (before any other check, so refused keys are counted too)."""
    limits = RateLimits.of(app)
    app.extensions["rate_limits"] = limits
    app.before_request(limits.check)
    app.after_request(limits.headers)
    return limits
