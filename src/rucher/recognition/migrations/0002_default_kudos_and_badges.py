"""The kudos list and badge rules an organisation starts with (its community managers edit
them on /recognition/manage/)."""

from django.db import migrations

KINDS = [
    ("merci", "Merci", "Thank you", "🙏"),
    ("bravo", "Bravo", "Well done", "👏"),
    ("esprit-equipe", "Esprit d'équipe", "Team spirit", "🤝"),
    ("coup-de-main", "Coup de main", "Helping hand", "🛟"),
    ("idee-lumineuse", "Idée lumineuse", "Bright idea", "💡"),
]

RULES = [
    ("premiere-reponse-acceptee", "accepted_answers", 1, "Première réponse acceptée",
     "First accepted answer", "✅", True),
    ("dix-reponses-acceptees", "accepted_answers", 10, "Dix réponses acceptées",
     "Ten accepted answers", "🏅", True),
    ("premier-message", "posts", 1, "Premier message", "First post", "✏️", True),
    ("comite-accueil", "welcomed_newcomers", 5, "Comité d'accueil", "Welcoming committee",
     "👋", True),
    ("reconnaissant", "kudos_given", 5, "Reconnaissant", "Grateful", "💛", True),
    ("pilier-entraide", "answers", 25, "Pilier de l'entraide", "Pillar of mutual help",
     "🏛️", False),
]


def create(apps, schema_editor):
    KudosKind = apps.get_model("recognition", "KudosKind")
    BadgeRule = apps.get_model("recognition", "BadgeRule")
    for position, (slug, fr, en, symbol) in enumerate(KINDS, start=1):
        KudosKind.objects.get_or_create(
            slug=slug,
            defaults={"label_fr": fr, "label_en": en, "symbol": symbol, "position": position},
        )
    for position, (slug, behaviour, threshold, fr, en, symbol, enabled) in enumerate(
        RULES, start=1
    ):
        BadgeRule.objects.get_or_create(
            slug=slug,
            defaults={
                "behaviour": behaviour,
                "threshold": threshold,
                "name_fr": fr,
                "name_en": en,
                "symbol": symbol,
                "enabled": enabled,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_kudos_and_badges")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
