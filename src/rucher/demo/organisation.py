"""Who Groupe Orvanne is: departments, sites, partners, spaces and the demo accounts.

Everything here is the project's own invention (names, jobs, themes); people's names come
from Faker at generation time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPANY = "Groupe Orvanne"
DEFAULT_SEED = 2026
DEFAULT_PEOPLE = 520
DEFAULT_ITEMS = 24_000  # posts + comments + reactions
SITES = ("Lyon – Siège", "Grenoble – Centre R&D", "Saint-Nazaire – Usine")


@dataclass(frozen=True)
class Department:
    name: str
    weight: float  # share of the headcount
    site_weights: tuple[float, float, float]  # Lyon, Grenoble, Saint-Nazaire
    jobs: tuple[str, ...]
    skills: tuple[str, ...]
    topics: tuple[str, ...]  # hashtags its people use
    subjects: tuple[str, ...]  # what its people write about (French)
    subjects_en: tuple[str, ...] = ()


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Direction générale",
        0.02,
        (0.9, 0.05, 0.05),
        ("Directeur général", "Assistante de direction", "Chargé de mission stratégie"),
        ("stratégie", "gouvernance", "conduite du changement"),
        ("strategie2027", "vision", "croissance"),
        (
            "le plan stratégique Cap 2027",
            "les résultats du semestre",
            "la feuille de route RSE",
            "l'ouverture du marché espagnol",
            "la revue trimestrielle des objectifs",
        ),
        ("our 2027 strategic plan", "the half-year results"),
    ),
    Department(
        "Ressources humaines",
        0.05,
        (0.8, 0.1, 0.1),
        ("Chargée RH", "Responsable recrutement", "Gestionnaire paie", "Responsable formation"),
        ("recrutement", "droit social", "paie", "formation", "marque employeur"),
        ("recrutement", "formation", "onboarding", "teletravail"),
        (
            "la campagne d'entretiens annuels",
            "le nouvel accord de télétravail",
            "le programme d'intégration des nouveaux arrivants",
            "le catalogue de formations",
            "la mutuelle d'entreprise",
            "le forum des métiers de l'eau",
        ),
    ),
    Department(
        "Finance",
        0.05,
        (0.9, 0.05, 0.05),
        ("Contrôleur de gestion", "Comptable fournisseurs", "Trésorier", "Analyste financier"),
        ("contrôle de gestion", "consolidation", "trésorerie", "Excel avancé", "Power BI"),
        ("budget", "cloture", "reporting"),
        (
            "la clôture mensuelle",
            "le budget 2026",
            "le reporting des coûts de production",
            "les notes de frais dématérialisées",
            "la prévision de trésorerie",
        ),
        ("the monthly close", "the 2026 budget"),
    ),
    Department(
        "Juridique",
        0.02,
        (1.0, 0.0, 0.0),
        (
            "Juriste contrats",
            "Juriste propriété intellectuelle",
            "Délégué à la protection des données",
        ),
        ("droit des contrats", "propriété intellectuelle", "RGPD"),
        ("rgpd", "contrats", "brevets"),
        (
            "le registre des traitements RGPD",
            "les conditions générales de vente",
            "le dépôt de brevet sur la membrane céramique",
            "la charte informatique",
        ),
    ),
    Department(
        "Informatique",
        0.07,
        (0.6, 0.3, 0.1),
        (
            "Développeur",
            "Administrateur systèmes",
            "Chef de projet SI",
            "Architecte données",
            "Technicien support",
        ),
        ("Python", "SQL", "Linux", "cybersécurité", "SAP", "réseaux", "Kubernetes"),
        ("cybersecurite", "sap", "data", "ia"),
        (
            "la migration vers SAP S/4HANA",
            "la campagne de sensibilisation au phishing",
            "le renouvellement des postes de travail",
            "le nouvel entrepôt de données",
            "la double authentification",
            "l'assistant IA interne",
        ),
        ("the SAP migration", "the new data warehouse", "multi-factor authentication"),
    ),
    Department(
        "R&D",
        0.11,
        (0.05, 0.9, 0.05),
        (
            "Ingénieure matériaux",
            "Ingénieur hydraulique",
            "Technicien de laboratoire",
            "Chef de projet innovation",
            "Docteure en chimie",
        ),
        (
            "membranes",
            "hydraulique",
            "simulation numérique",
            "chimie de l'eau",
            "CAO",
            "plans d'expériences",
        ),
        ("innovation", "membranes", "brevets", "ecoconception"),
        (
            "le prototype de filtre à membrane céramique",
            "les essais d'encrassement",
            "la simulation CFD de la pompe P400",
            "le banc d'essai de Grenoble",
            "le projet de capteur connecté",
            "la réduction des PFAS",
        ),
        ("the ceramic membrane prototype", "the CFD simulation", "the connected sensor"),
    ),
    Department(
        "Production",
        0.22,
        (0.02, 0.03, 0.95),
        (
            "Opérateur de production",
            "Chef d'équipe",
            "Technicien de maintenance",
            "Responsable d'atelier",
            "Régleur",
        ),
        (
            "lean manufacturing",
            "maintenance préventive",
            "soudure",
            "usinage",
            "5S",
            "conduite de ligne",
        ),
        ("production", "securite", "lean", "maintenance"),
        (
            "la ligne d'assemblage n°3",
            "l'arrêt technique d'août",
            "le chantier 5S de l'atelier",
            "la nouvelle presse hydraulique",
            "le taux de rendement synthétique",
            "les horaires d'équipe en 3x8",
        ),
    ),
    Department(
        "Qualité",
        0.05,
        (0.2, 0.2, 0.6),
        ("Ingénieur qualité", "Auditrice interne", "Technicien métrologie"),
        ("ISO 9001", "audit", "AMDEC", "métrologie", "résolution de problèmes"),
        ("qualite", "iso9001", "audit"),
        (
            "l'audit de certification ISO 9001",
            "le traitement des non-conformités",
            "la méthode 8D",
            "le plan de surveillance",
            "les réclamations clients du trimestre",
        ),
    ),
    Department(
        "Supply chain",
        0.07,
        (0.3, 0.0, 0.7),
        ("Approvisionneur", "Responsable logistique", "Planificateur", "Cariste"),
        ("planification", "gestion des stocks", "transport", "S&OP"),
        ("logistique", "stocks", "livraison"),
        (
            "le plan industriel et commercial",
            "les retards de livraison des moteurs",
            "le nouvel entrepôt de Montoir",
            "l'inventaire annuel",
            "les tournées de livraison",
        ),
    ),
    Department(
        "Achats",
        0.04,
        (0.7, 0.0, 0.3),
        ("Acheteur", "Acheteuse projets", "Responsable achats"),
        ("négociation", "sourcing", "achats responsables"),
        ("achats", "fournisseurs", "rse"),
        (
            "l'appel d'offres inox",
            "la charte achats responsables",
            "la hausse du prix des composants électroniques",
            "le référencement fournisseurs",
        ),
    ),
    Department(
        "Ventes France",
        0.1,
        (0.85, 0.05, 0.1),
        (
            "Ingénieur d'affaires",
            "Commercial sédentaire",
            "Responsable grands comptes",
            "Assistante commerciale",
        ),
        ("négociation", "CRM", "marchés publics", "prospection"),
        ("ventes", "collectivites", "salon", "crm"),
        (
            "le salon Pollutec",
            "l'appel d'offres de la métropole",
            "les objectifs du trimestre",
            "le nouveau CRM",
            "la gamme de pompes P400",
            "les tarifs 2026",
        ),
    ),
    Department(
        "Export",
        0.05,
        (0.9, 0.05, 0.05),
        ("Responsable zone Europe", "Export sales manager", "Assistante export"),
        ("anglais", "Incoterms", "commerce international", "espagnol"),
        ("export", "international", "europe"),
        (
            "le distributeur espagnol",
            "les Incoterms",
            "la foire de Hanovre",
            "le dossier de certification au Maroc",
        ),
        (
            "our Spanish distributor",
            "the Hanover fair",
            "the Nordic tender",
            "the new export price list",
        ),
    ),
    Department(
        "Marketing et communication",
        0.05,
        (1.0, 0.0, 0.0),
        (
            "Chargée de communication",
            "Responsable marketing produit",
            "Graphiste",
            "Animatrice de communautés",
        ),
        ("rédaction", "réseaux sociaux", "marketing produit", "PAO", "événementiel"),
        ("communication", "marque", "evenement"),
        (
            "la nouvelle charte graphique",
            "la vidéo de l'usine",
            "la newsletter interne",
            "la journée portes ouvertes",
            "le lancement de la gamme Aqualis",
        ),
        ("the Aqualis launch", "the new brand guidelines"),
    ),
    Department(
        "Service client",
        0.1,
        (0.6, 0.0, 0.4),
        (
            "Conseillère clientèle",
            "Technicien SAV itinérant",
            "Responsable service client",
            "Hotliner",
        ),
        ("relation client", "diagnostic panne", "SAV", "Zendesk"),
        ("sav", "clients", "satisfaction"),
        (
            "le délai de traitement des tickets",
            "la panne récurrente du variateur",
            "l'enquête de satisfaction",
            "les interventions sur site",
            "la base de connaissances",
        ),
    ),
)


@dataclass(frozen=True)
class PartnerOrganisation:
    name: str
    guests: int
    space: str
    jobs: tuple[str, ...]


PARTNERS: tuple[PartnerOrganisation, ...] = (
    PartnerOrganisation(
        "Hydrodis Distribution",
        9,
        "Réseau distributeurs Hydrodis",
        ("Technico-commercial", "Responsable d'agence", "Chef de produit"),
    ),
    PartnerOrganisation(
        "Filtra Logistique",
        6,
        "Plateforme logistique Filtra",
        ("Chef de quai", "Responsable transport", "Planificatrice"),
    ),
)


@dataclass(frozen=True)
class SpaceSpec:
    """One demo space. ``audience`` says who joins: 'all', a department name, a site name,
    'managers', 'partner:<organisation>', or 'interest' (a random share of everyone)."""

    name: str
    description: str
    visibility: str = "open"
    kind: str = "internal"
    hub: str | None = None
    audience: str = "interest"
    share: float = 0.25  # for 'interest': the share of people who join
    activity: float = 1.0  # relative volume of writing
    tag: str = ""  # "[Sport]"-style prefix some posts carry
    english: float = 0.05  # share of posts written in English
    confidential: bool = False
    themes: tuple[str, ...] = field(default_factory=tuple)  # department names whose subjects fit


HUBS = ("Vie d'Orvanne", "Innovation")

_SHARED_SPACES: tuple[SpaceSpec, ...] = (
    SpaceSpec(
        "Vie d'Orvanne",
        "Le hub de la vie de l'entreprise : actualités, entraide, loisirs.",
        audience="all",
        activity=0.5,
        themes=("Direction générale", "Ressources humaines"),
    ),
    SpaceSpec(
        "Actualités Orvanne",
        "Les annonces officielles et la revue de presse.",
        hub="Vie d'Orvanne",
        audience="all",
        activity=1.6,
        themes=("Direction générale", "Marketing et communication"),
    ),
    SpaceSpec(
        "Sport et bien-être",
        "Courses, randonnées, tournois : on se motive ensemble.",
        hub="Vie d'Orvanne",
        share=0.3,
        activity=1.2,
        tag="Sport",
    ),
    SpaceSpec(
        "Afterworks et sorties",
        "Les sorties entre collègues, sur les trois sites.",
        hub="Vie d'Orvanne",
        share=0.3,
        activity=0.7,
        tag="Afterwork",
    ),
    SpaceSpec(
        "Covoiturage",
        "Trajets partagés vers les sites.",
        hub="Vie d'Orvanne",
        share=0.2,
        activity=0.6,
        tag="Covoiturage",
    ),
    SpaceSpec(
        "Petites annonces",
        "Ventes, dons, prêts entre collègues.",
        hub="Vie d'Orvanne",
        share=0.25,
        activity=0.5,
        tag="Annonce",
    ),
    SpaceSpec(
        "Innovation",
        "Le hub de l'innovation ouverte.",
        audience="interest",
        share=0.35,
        activity=0.4,
        themes=("R&D",),
    ),
    SpaceSpec(
        "Idées et amélioration continue",
        "Une idée pour travailler mieux ? Partagez-la.",
        hub="Innovation",
        share=0.3,
        activity=1.0,
        themes=("Production", "Qualité"),
    ),
    SpaceSpec(
        "IA et données",
        "Cas d'usage, outils et bonnes pratiques autour des données.",
        hub="Innovation",
        share=0.18,
        activity=0.9,
        english=0.2,
        themes=("Informatique", "R&D"),
    ),
    SpaceSpec(
        "Éco-conception",
        "Réduire l'empreinte de nos produits.",
        hub="Innovation",
        share=0.15,
        activity=0.6,
        themes=("R&D", "Achats"),
    ),
    SpaceSpec(
        "English corner",
        "Practise your English with colleagues: all topics welcome.",
        share=0.12,
        activity=0.6,
        english=0.9,
        themes=("Export",),
    ),
    SpaceSpec(
        "Entraide outils bureautiques",
        "Excel, Teams, SAP : posez vos questions.",
        share=0.3,
        activity=1.0,
        themes=("Informatique", "Finance"),
    ),
    SpaceSpec(
        "Sécurité au travail",
        "Prévention, retours d'expérience, bonnes pratiques.",
        share=0.35,
        activity=0.7,
        themes=("Production", "Qualité"),
    ),
    SpaceSpec(
        "Bienvenue chez Orvanne",
        "Pour les nouveaux arrivants : questions et conseils.",
        share=0.3,
        activity=0.6,
        themes=("Ressources humaines",),
    ),
    SpaceSpec(
        "Communauté des managers",
        "Entre managers : outils, pratiques, entraide.",
        visibility="private",
        audience="managers",
        activity=0.8,
        themes=("Ressources humaines", "Direction générale"),
    ),
    SpaceSpec(
        "Projet Nautilus",
        "Nouvelle gamme de stations compactes (projet secret).",
        visibility="secret",
        share=0.04,
        activity=1.0,
        themes=("R&D", "Ventes France"),
    ),
    SpaceSpec(
        "Réorganisation 2026",
        "Préparation de la nouvelle organisation. Confidentiel : chaque lecture est enregistrée.",
        visibility="private",
        share=0.03,
        activity=0.6,
        confidential=True,
        themes=("Direction générale", "Ressources humaines"),
    ),
    SpaceSpec(
        "Site de Lyon",
        "La vie du siège.",
        audience="site:Lyon – Siège",
        activity=0.7,
        themes=("Marketing et communication",),
    ),
    SpaceSpec(
        "Site de Grenoble",
        "La vie du centre R&D.",
        audience="site:Grenoble – Centre R&D",
        activity=0.6,
        themes=("R&D",),
    ),
    SpaceSpec(
        "Usine de Saint-Nazaire",
        "La vie de l'usine.",
        audience="site:Saint-Nazaire – Usine",
        activity=0.9,
        themes=("Production", "Supply chain"),
    ),
    SpaceSpec(
        PARTNERS[0].space,
        "Espace partagé avec notre distributeur Hydrodis.",
        visibility="private",
        kind="partner",
        audience=f"partner:{PARTNERS[0].name}",
        activity=0.8,
        themes=("Ventes France", "Service client"),
    ),
    SpaceSpec(
        PARTNERS[1].space,
        "Espace partagé avec notre prestataire logistique Filtra.",
        visibility="private",
        kind="partner",
        audience=f"partner:{PARTNERS[1].name}",
        activity=0.6,
        themes=("Supply chain",),
    ),
)
_TEAM_SPACES = tuple(
    SpaceSpec(
        f"Équipe {d.name}",
        f"L'espace de l'équipe {d.name}.",
        visibility="private"
        if d.name in ("Finance", "Juridique", "Direction générale")
        else "open",
        audience=f"department:{d.name}",
        activity=0.9,
        english=0.4 if d.subjects_en and d.name == "Export" else 0.03,
        themes=(d.name,),
    )
    for d in DEPARTMENTS
)
SPACES: tuple[SpaceSpec, ...] = (*_SHARED_SPACES, *_TEAM_SPACES)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    kind: str
    department: str | None
    job_title: str
    role: str  # what the accounts table says about it


DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin",
        "Sophie",
        "Lambert",
        "admin",
        "Informatique",
        "Administratrice de la plateforme",
        "administratrice (Django admin)",
    ),
    DemoAccount(
        "animatrice",
        "Camille",
        "Roussel",
        "community_manager",
        "Marketing et communication",
        "Animatrice de communautés",
        "community manager (cockpit)",
    ),
    DemoAccount(
        "employe",
        "Julien",
        "Moreau",
        "employee",
        "Ventes France",
        "Ingénieur d'affaires",
        "employé : plusieurs espaces internes, l'espace confidentiel et l'espace partagé Hydrodis",
    ),
    DemoAccount(
        "partenaire",
        "Marc",
        "Delaunay",
        "partner",
        None,
        "Technico-commercial",
        "invité partenaire (Hydrodis) : son espace partagé seulement",
    ),
)
