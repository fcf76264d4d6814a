"""Redis pub/sub as a doorbell between processes (only when ``REDIS_URL`` is set).

A message carries nothing but "something was written": every process's poller then reads
the database, which stays the one source of truth. So a lost message costs at most one poll
interval, never an event, and what crosses Redis reveals nothing about who may see what.
Publishers: a web process after it commits a write (``signals.py``) and the task worker after
it writes notifications (``notifications.hooks.on_notified``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable

import redis
import redis.asyncio

logger = logging.getLogger("rucher.live")

CHANNEL = "rucher:live"
QUIET_AFTER_FAILURE = 5.0  # seconds without trying again: Redis down must not slow writes
_clients: dict[str, redis.Redis] = {}
_failed_at = -QUIET_AFTER_FAILURE


def publish() -> None:
    """Ring the doorbell; never raises (a write has committed: Redis down must not fail it)."""
    global _failed_at
    url = os.environ.get("REDIS_URL")
    if not url or time.monotonic() - _failed_at < QUIET_AFTER_FAILURE:
        return
    try:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis.Redis.from_url(
                url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        client.publish(CHANNEL, b"1")
    except redis.RedisError as error:
        _failed_at = time.monotonic()
        logger.warning(
            "live updates: could not publish to Redis (%s); pollers will catch up", error
        )


async def listen(url: str, ring: Callable[[], None], wanted: Callable[[], bool]) -> None:
    """Call ``ring`` for each message, reconnecting after a failure, while ``wanted()``."""
    pause = 0.5
    while wanted():
        client = redis.asyncio.Redis.from_url(url)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                pause = 0.5
                ring()  # something may have been published while we were not listening
                while wanted():
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None:
                        ring()
        except (redis.RedisError, OSError) as error:
            logger.warning("live updates: Redis subscription lost (%s); retrying", error)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 30.0)
        finally:
            await client.aclose()
