"""The demo's writing: templates and vocabulary of the project's own, in French and English.

A text is a template whose slots are filled from small vocabularies and from the subjects
of the department behind a space, so thousands of messages read differently while staying
on the themes of each team.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TIMES = ("8h30", "9h", "10h", "11h30", "12h15", "14h", "16h", "17h30", "18h")
SITES_SHORT = ("Lyon", "Grenoble", "Saint-Nazaire")

PROGRESS = (
    "nous avons bouclé la première phase",
    "les premiers résultats sont encourageants",
    "le planning est tenu, à une semaine près",
    "il reste deux points bloquants à lever",
    "nous sommes à 80 % de l'objectif",
    "les tests sur site ont commencé",
    "le cahier des charges est validé",
    "les retours des utilisateurs sont plutôt positifs",
    "le budget est respecté pour l'instant",
    "nous avons pris un peu de retard à cause des congés",
)
NEXT_STEPS = (
    "Prochaine étape : une démonstration {day} prochain.",
    "La suite sera présentée au comité de {day}.",
    "Vos retours sont les bienvenus d'ici {day}.",
    "Nous ferons un nouveau point dans deux semaines.",
    "Le support de présentation est en pièce jointe du compte rendu.",
    "On cherche encore un ou deux volontaires pour la phase pilote.",
)
THANKS = (
    "Un grand merci à {mention} pour son aide.",
    "Bravo à {mention} et à toute l'équipe.",
    "Merci à {mention} pour la relecture attentive.",
    "Merci à {mention}, sans qui on n'y serait pas arrivés.",
    "Mention spéciale à {mention} pour sa patience.",
)
LESSONS = (
    "Ce qui a marché : impliquer les équipes terrain dès le départ.",
    "On a perdu du temps sur la validation : à anticiper la prochaine fois.",
    "Le plus utile a été de tester tôt, même avec une version incomplète.",
    "Les échanges avec les autres sites nous ont fait gagner beaucoup de temps.",
    "Un bon tableau de suivi partagé évite bien des réunions.",
    "Il faut prévoir plus de temps pour la formation des utilisateurs.",
)
SCHEDULES = (
    "démarre {day} prochain",
    "est décalé à la semaine prochaine",
    "fait l'objet d'une réunion {day} à {time}",
    "sera présenté en réunion d'équipe {day}",
    "entre dans sa dernière ligne droite",
)
INVITES = (
    "Qui est intéressé ?",
    "Les inscriptions sont ouvertes jusqu'à {day}.",
    "N'hésitez pas à commenter ci-dessous.",
    "Dites-moi en commentaire si vous voulez participer.",
    "Toutes les questions sont bienvenues, même les plus simples.",
)
FINDINGS = (
    "Le principal enseignement : les délais dépendent surtout des validations internes.",
    "Les chiffres montrent une nette amélioration depuis le printemps.",
    "Trois actions ont été décidées, avec un responsable pour chacune.",
    "Le sujet intéresse plusieurs équipes : on va mutualiser les efforts.",
    "Le retour des clients est meilleur que prévu.",
    "Il faudra arbitrer entre le coût et le délai.",
)
POSTS = (
    "Point d'étape sur {subject} : {progress}. {next} {tags}",
    "Bonne nouvelle : {subject} avance bien, {progress}. {thanks} {tags}",
    "Petit retour d'expérience sur {subject}. {lesson} {tags}",
    "Pour information, {subject} {schedule}. {invite} {tags}",
    "Je partage le compte rendu de la réunion sur {subject}. {finding} {tags}",
    "**À retenir cette semaine** : {subject}. {finding}\n\n{invite} {tags}",
    "Merci à toutes et à tous pour l'énergie mise dans {subject} ! {thanks} {tags}",
    "Nous cherchons des volontaires pour tester {subject}. {invite} {tags}",
    "Où en est-on sur {subject} ? En résumé :\n\n- {progress}\n- {finding_lower}\n\n{next} {tags}",
    "Un article intéressant qui fait écho à {subject}. {lesson} {tags}",
    "Rappel : {subject} {schedule}. {tags}",
)
QUESTIONS = (
    "Quelqu'un a-t-il déjà travaillé sur {subject} ? J'aurais besoin de conseils. {tags}",
    "Question rapide : qui est le bon interlocuteur pour {subject} ? {tags}",
    "Où trouver la dernière version du document sur {subject} ? {tags}",
    "Comment faites-vous pour suivre {subject} au quotidien ? {tags}",
    "Avez-vous un modèle de présentation pour {subject} ? {tags}",
    "Est-ce que {subject} concerne aussi le site de {site} ? {tags}",
    "Je débute sur {subject} : par où commencer ? {tags}",
)
ANSWERS = (
    "Tu peux demander à {mention}, c'est la bonne personne pour ce sujet.",
    "Le document est sur l'espace partagé de l'équipe, dans le dossier « Référence ».",
    "On a eu le même souci l'an dernier : le plus simple est de passer par le formulaire.",
    "Oui, le site de {site} est concerné aussi, avec un décalage d'un mois.",
    "Je te conseille de commencer par la formation en ligne, elle est courte et bien faite.",
    "Regarde le compte rendu de la réunion de {day}, tout y est expliqué.",
    "J'ai un modèle, je te l'envoie. Il date un peu mais la structure est bonne.",
    "Il faut d'abord valider avec ton manager, ensuite c'est rapide.",
)
COMMENTS = (
    "Merci pour le partage !",
    "Très intéressant, merci.",
    "Bravo à toute l'équipe !",
    "+1, c'est exactement ce qu'il nous fallait.",
    "Est-ce que ça concerne aussi le site de {site} ?",
    "Super nouvelle !",
    "On en reparle à la prochaine réunion ?",
    "Je suis partant.",
    "Je suis partante !",
    "Merci {first}, c'est très clair.",
    "Belle réussite, félicitations.",
    "Est-ce qu'il y a une date pour la suite ?",
    "Je relaie auprès de mon équipe.",
    "Bonne idée, on pourrait faire pareil chez nous.",
    "Attention au planning, {day} c'est un peu juste pour nous.",
    "Je confirme, on a vu la même chose de notre côté.",
    "Merci {mention} pour ton aide sur ce sujet.",
)

FOLLOW_UPS = (
    "Je passe te voir {day} pour en parler.",
    "On pourrait en faire un point en réunion d'équipe.",
    "Je transmets à mon manager.",
    "Ça nous aidera beaucoup pour le trimestre.",
    "Chez nous, à {site}, c'est un peu différent.",
    "Tu as les chiffres détaillés ?",
    "Hâte de voir la suite !",
)

TAGGED = {
    "Sport": (
        "[Sport] Qui est partant pour {sport} {day} midi ? Rendez-vous à l'accueil à {time}.",
        "[Sport] Résultats de {sport} : bravo aux {n} participants ! Prochaine édition en juin.",
        "[Sport] On monte une équipe pour {sport}. Il reste {n} places.",
        "[Sport] Séance de {sport} annulée {day} à cause de la météo, reportée à la semaine "
        "prochaine.",
    ),
    "Afterwork": (
        "[Afterwork] Pot de départ de {first} {day} à partir de {time}, salle du 3e étage.",
        "[Afterwork] Soirée jeux de société {day} soir sur le site de {site}. {invite}",
        "[Afterwork] Pique-nique géant {day} midi dans le parc. Chacun apporte un plat.",
    ),
    "Covoiturage": (
        "[Covoiturage] Je fais le trajet {route} tous les {day}s, {n} places disponibles.",
        "[Covoiturage] Cherche covoiturage {route} à partir du mois prochain.",
    ),
    "Annonce": (
        "[Annonce] Vends {item} en très bon état, prix à discuter.",
        "[Annonce] Donne {item}, à récupérer sur le site de {site}.",
        "[Annonce] Cherche {item} à emprunter pour le week-end.",
    ),
}
SPORTS = (
    "un footing de 8 km",
    "une sortie vélo",
    "un foot à cinq",
    "la course des Lumières",
    "une séance de yoga",
    "une randonnée dans le Vercors",
    "le semi-marathon",
    "un tournoi de badminton",
    "une sortie paddle",
)
ROUTES = (
    "Lyon – Villeurbanne",
    "Grenoble – Meylan",
    "Nantes – Saint-Nazaire",
    "La Baule – Saint-Nazaire",
    "Voiron – Grenoble",
    "Vienne – Lyon",
)
ITEMS = (
    "un vélo enfant",
    "une poussette",
    "une tente 4 places",
    "un lot de livres",
    "une perceuse",
    "un canapé deux places",
    "des skis de fond",
)

POSTS_EN = (
    "Quick update on {subject}: {progress_en}. Feedback welcome before {day_en}. {tags}",
    "Great news: {subject} is on track. Thanks {mention} for the help! {tags}",
    "Sharing a few lessons from {subject}: test early, involve the field teams. {tags}",
    "Reminder: {subject} will be discussed on {day_en} at 10am. Join us! {tags}",
    "Has anyone read the report on {subject}? Curious to hear your thoughts. {tags}",
)
QUESTIONS_EN = (
    "Does anyone know who is in charge of {subject}? {tags}",
    "Where can I find the latest slides on {subject}? {tags}",
    "Any tips for someone starting on {subject}? {tags}",
)
ANSWERS_EN = (
    "You should ask {mention}, they know the topic well.",
    "The slides are in the team folder, under 'Reference'.",
    "We had the same question last year: start with the online training.",
)
COMMENTS_EN = (
    "Thanks for sharing!",
    "Great work, well done!",
    "Very useful, thank you.",
    "Count me in.",
    "Good point, let's discuss it on {day_en}.",
    "Agreed, same on our side.",
)
PROGRESS_EN = (
    "the first phase is done",
    "early results look promising",
    "we are slightly behind schedule",
    "the pilot starts next month",
)
GENERIC_SUBJECTS_EN = ("the new intranet", "the team offsite", "our customer survey")

BIOS = (
    "{job} chez Orvanne depuis {years} ans. {hobby}",
    "Passionné·e par {skill}. {hobby}",
    "{job}, basé·e à {site}. N'hésitez pas à me contacter pour {skill}.",
    "Arrivé·e en {year} chez Orvanne. {hobby}",
)
HOBBIES = (
    "Coureur du dimanche.",
    "Fan de randonnée.",
    "Cuisine italienne le week-end.",
    "Bénévole dans un club de foot.",
    "Photographe amateur.",
    "Lectrice de polars.",
    "Jardinier à mes heures.",
    "Toujours partant pour un jeu de société.",
)

NPS_QUESTION = (
    "Sur une échelle de 0 à 10, recommanderiez-vous Orvanne comme employeur à un ami ou un proche ?"
)
CHOICE_QUESTION = "Quel format préférez-vous pour la prochaine convention annuelle ?"
CHOICE_OPTIONS = (
    "Une journée à Lyon",
    "Deux demi-journées en ligne",
    "Un séminaire au vert",
    "Une journée par site",
)


class Writer:
    """Fills templates; ``rng`` makes every text reproducible for a seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _pick(self, options: Sequence[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def _fill(
        self, template: str, subject: str, topics: Sequence[str], mention: str, first: str
    ) -> str:
        pick = self._pick
        count = self.rng.choice((0, 1, 1, 2))
        tags = " ".join(f"#{t}" for t in self.rng.sample(list(topics), min(count, len(topics))))
        values = {
            "subject": subject,
            "tags": tags,
            "mention": f"@{mention}" if mention else "l'équipe",
            "first": first,
            "day": pick(DAYS),
            "day_en": pick(DAYS_EN),
            "time": pick(TIMES),
            "site": pick(SITES_SHORT),
            "progress": pick(PROGRESS),
            "progress_en": pick(PROGRESS_EN),
            "finding_lower": pick(FINDINGS).lower(),
            "sport": pick(SPORTS),
            "route": pick(ROUTES),
            "item": pick(ITEMS),
            "n": str(self.rng.randint(2, 40)),
        }
        for slot, options in (
            ("next", NEXT_STEPS),
            ("thanks", THANKS),
            ("lesson", LESSONS),
            ("schedule", SCHEDULES),
            ("invite", INVITES),
            ("finding", FINDINGS),
        ):
            if "{" + slot + "}" in template:
                values[slot] = pick(options).format(**values)
        return template.format(**values).strip()

    def post(
        self,
        subjects: Sequence[str],
        topics: Sequence[str],
        mention: str,
        first: str,
        english: bool,
    ) -> str:
        template = self._pick(POSTS_EN if english else POSTS)
        return self._fill(template, self._pick(subjects), topics, mention, first)

    def question(self, subjects: Sequence[str], topics: Sequence[str], english: bool) -> str:
        template = self._pick(QUESTIONS_EN if english else QUESTIONS)
        return self._fill(template, self._pick(subjects), topics, "", "")

    def answer(self, mention: str, english: bool) -> str:
        return self._fill(self._pick(ANSWERS_EN if english else ANSWERS), "", (), mention, "")

    def comment(self, mention: str, first: str, english: bool) -> str:
        text = self._pick(COMMENTS_EN if english else COMMENTS)
        if "{mention}" in text and not mention:
            text = "Merci pour ton aide sur ce sujet."
        if not english and self.rng.random() < 0.35:
            text = f"{text} {self._pick(FOLLOW_UPS)}"
        return self._fill(text, "", (), mention, first)

    def tagged(self, tag: str, first: str) -> str:
        return self._fill(self._pick(TAGGED[tag]), "", (), "", first)

    def bio(self, job: str, skill: str, site: str) -> str:
        return self._pick(BIOS).format(
            job=job,
            years=self.rng.randint(1, 25),
            hobby=self._pick(HOBBIES),
            skill=skill,
            site=site.split(" – ")[0],
            year=self.rng.randint(2001, 2025),
        )
