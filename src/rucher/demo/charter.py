"""The demo organisation's charters (members', partner guests') and their acceptance by every
demo account, so the demo works as before; an account made afterwards is asked."""

from __future__ import annotations

from rucher.charter.actions import publish_charter
from rucher.charter.models import Audience, CharterAcceptance
from rucher.people.models import Person

MEMBERS_FR = """## Charte du réseau social de Groupe Orvanne

Ce réseau est le nôtre : il sert à travailler ensemble, à partager ce que nous savons et à \
nous entraider. En publiant, je m'engage à :

1. **Rester courtois et professionnel.** On critique des idées, jamais des personnes. Pas \
d'insulte, de moquerie ni de propos discriminatoires.
2. **Publier au bon endroit.** Un message va dans l'espace qui le concerne ; les sujets \
personnels restent dans les espaces prévus pour eux.
3. **Protéger les informations sensibles.** Pas de données de clients (IBAN, numéros de \
carte, de sécurité sociale), de salaires ni de mots de passe dans un message, surtout dans \
les espaces partagés avec des partenaires.
4. **Respecter la confidentialité.** Ce qui est dit dans un espace confidentiel y reste.
5. **Citer ses sources** et respecter le droit d'auteur.
6. **Signaler plutôt que répondre** à un message qui pose problème : les animateurs \
s'en chargent.

Les animateurs peuvent masquer, modifier ou supprimer un message contraire à cette charte, \
et suspendre temporairement son auteur d'un espace. Chaque décision est motivée et tracée.
"""

MEMBERS_EN = """## Groupe Orvanne's social network charter

This network is ours: it is for working together, sharing what we know and helping each \
other. When I publish, I commit to:

1. **Stay courteous and professional.** Criticise ideas, never people. No insults, mockery \
or discriminatory remarks.
2. **Post in the right place.** A message goes in the space it concerns; personal topics \
stay in the spaces made for them.
3. **Protect sensitive information.** No customer data (IBANs, card or social security \
numbers), salaries or passwords in a message, above all in spaces shared with partners.
4. **Respect confidentiality.** What is said in a confidential space stays there.
5. **Name my sources** and respect copyright.
6. **Flag rather than reply** to a problematic message: the community managers handle it.

Community managers may hide, edit or delete a message that breaks this charter, and suspend \
its author from a space for a while. Every decision gives its reason and is recorded.
"""

PARTNERS_FR = """## Charte des invités partenaires

Vous êtes invité par Groupe Orvanne dans un ou plusieurs espaces partagés. En y publiant, \
vous vous engagez à :

1. **Rester courtois et professionnel** avec chacun.
2. **Ne partager que ce que votre contrat permet** : pas d'informations confidentielles de \
votre entreprise ou de la nôtre au-delà de ce qui est convenu.
3. **Ne publier aucune donnée personnelle ou bancaire** (IBAN, cartes, identifiants).
4. **Ne pas reprendre hors de l'espace** ce qui y est échangé sans l'accord des auteurs.

Les animateurs de Groupe Orvanne peuvent masquer ou supprimer un message contraire à cette \
charte et mettre fin à une invitation.
"""

PARTNERS_EN = """## Partner guests' charter

Groupe Orvanne has invited you into one or more shared spaces. When you post there, you \
commit to:

1. **Stay courteous and professional** with everyone.
2. **Share only what your contract allows**: no confidential information of your company or \
ours beyond what was agreed.
3. **Post no personal or banking data** (IBANs, cards, credentials).
4. **Not take what is said here elsewhere** without its authors' consent.

Groupe Orvanne's community managers may hide or delete a message that breaks this charter \
and end an invitation.
"""


def seed_charter() -> int:
    """Publish both charters (as the demo administrator) and record that every account
    present accepted its own; the acceptances written."""
    admin = Person.objects.filter(username="admin").first()
    if admin is None:
        return 0
    members = publish_charter(admin, Audience.MEMBERS, MEMBERS_FR, MEMBERS_EN)
    partners = publish_charter(admin, Audience.PARTNERS, PARTNERS_FR, PARTNERS_EN)
    rows = [
        CharterAcceptance(
            person_id=pk,
            version=partners if kind == Person.Kind.PARTNER else members,
            accepted_at=members.published_at,
        )
        for pk, kind in Person.objects.values_list("pk", "kind")
    ]
    CharterAcceptance.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
