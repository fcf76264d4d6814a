from typing import Any

from rucher.conversations import actions
from rucher.notifications import queries
from rucher.notifications.models import Notification


def test_smoke(world: dict[str, Any], fan_out: Any, make_person: Any) -> None:
    alice, bob = world["alice"], world["bob"]
    fan_out()
    post = actions.publish(alice, world["open"], "Planning de la semaine @bob")
    actions.react(bob, post, "like")
    actions.reply(bob, post, "ok")
    print(fan_out())
    for n in Notification.objects.all():
        print(n.recipient_id, n.kind, n.subject, n.channel, n.actor_count)
    for s in queries.page(alice).items + queries.page(bob).items:
        print(s.text, s.url, s.actors)
    print(queries.unread_count(alice))
