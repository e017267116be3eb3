"""Synthetic practices for load and scale tests (``manage.py generate_practices``).

Everything is generated from one ``random.Random(seed)``, so a seed gives the same
catalogue every time. Rows go in with PostgreSQL COPY, many-to-many rows too, inside
one transaction, and the tables are analysed afterwards.

Generated practices are marked by the slug prefix ``gen-``; the reference data they
use (topics, departments, jurisdictions, awards and categories) is created when
missing, matched by slug, so a catalogue's own topics and departments are reused.
"""

import math
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, models, transaction
from django.utils.text import slugify

from awards.models import Award, AwardCategory, Recognition, RecognitionLevel
from practices.models import (
    Department,
    EvidenceRating,
    EvidenceStrength,
    Jurisdiction,
    JurisdictionKind,
    Language,
    Outcome,
    PopulationBand,
    Practice,
    PublishingState,
    Source,
    Topic,
)
from practices.search import refresh_search_words

PREFIX = "gen-"
# From this many practices on, full-text indexes are rebuilt once instead of updated per row.
BULK_INDEX_THRESHOLD = 5_000
DEFAULT_SEED = 2026
# Publication dates spread over the ten years before this day (fixed, for determinism).
REFERENCE_DAY = datetime(2026, 1, 1, tzinfo=UTC)

# slug, English name, Spanish name
TOPICS = [
    ("community-policing", "Community policing and problem solving", "Policía comunitaria"),
    (
        "youth-violence-prevention",
        "Youth violence prevention",
        "Prevención de la violencia juvenil",
    ),
    ("gun-violence", "Gun violence", "Violencia armada"),
    ("domestic-violence", "Domestic violence", "Violencia doméstica"),
    ("environmental-design", "Environmental design", "Diseño ambiental"),
    ("street-lighting", "Street lighting", "Alumbrado público"),
    ("parks-and-open-space", "Parks and open space", "Parques y espacios abiertos"),
    ("vacant-lots", "Vacant lots", "Lotes baldíos"),
    ("youth-development", "Youth development and after-school", "Desarrollo juvenil"),
    ("behavioral-health-crisis", "Behavioural-health crisis response", "Respuesta a crisis"),
    ("reentry-and-diversion", "Reentry and diversion", "Reinserción y desvío"),
    ("victim-services", "Victim services", "Atención a víctimas"),
    ("traffic-safety", "Traffic safety", "Seguridad vial"),
    ("crime-analysis", "Crime analysis and data", "Análisis delictivo y datos"),
    ("interdepartmental-coordination", "Interdepartmental coordination", "Coordinación"),
]
SUBTOPICS = {"street-lighting", "parks-and-open-space", "vacant-lots"}  # under environmental design

DEPARTMENTS = [
    ("police", "Police", "Policía"),
    ("fire-ems", "Fire and EMS", "Bomberos y emergencias"),
    ("parks-recreation", "Parks and recreation", "Parques y recreación"),
    ("libraries", "Libraries", "Bibliotecas"),
    ("youth-services", "Youth services", "Servicios a la juventud"),
    ("public-works", "Public works", "Obras públicas"),
    ("planning", "Planning", "Planificación"),
    ("code-enforcement", "Code enforcement", "Inspección y normas"),
    ("housing", "Housing", "Vivienda"),
    ("public-health", "Public health", "Salud pública"),
    ("schools", "Schools", "Escuelas"),
    ("managers-office", "Manager's office", "Despacho del administrador"),
    ("courts-justice", "Courts and justice", "Tribunales y justicia"),
    ("community-partners", "Community and non-profit partners", "Organizaciones comunitarias"),
]

# English name, Spanish name, topics, departments
PROGRAMS = [
    (
        "Violence Interruption Program",
        "Programa de interrupción de la violencia",
        ["youth-violence-prevention", "gun-violence"],
        ["public-health", "community-partners"],
    ),
    (
        "Street Lighting Upgrade",
        "Mejora del alumbrado público",
        ["environmental-design", "street-lighting"],
        ["public-works", "police"],
    ),
    (
        "Problem-Solving Partnership",
        "Alianza para la solución de problemas",
        ["community-policing"],
        ["police", "code-enforcement", "managers-office"],
    ),
    (
        "Behavioural-Health Crisis Team",
        "Equipo de respuesta a crisis de salud mental",
        ["behavioral-health-crisis"],
        ["fire-ems", "public-health", "police"],
    ),
    (
        "After-School Initiative",
        "Iniciativa extraescolar",
        ["youth-development"],
        ["schools", "libraries", "youth-services"],
    ),
    (
        "Vacant Lot Greening",
        "Recuperación de lotes baldíos",
        ["vacant-lots", "environmental-design"],
        ["public-works", "planning", "housing"],
    ),
    (
        "Hot Spot Policing Project",
        "Proyecto de patrullaje en puntos críticos",
        ["community-policing", "crime-analysis"],
        ["police"],
    ),
    (
        "Reentry Mentoring Program",
        "Programa de mentoría para la reinserción",
        ["reentry-and-diversion"],
        ["courts-justice", "community-partners", "housing"],
    ),
    (
        "Safe Routes to School",
        "Rutas seguras a la escuela",
        ["traffic-safety", "youth-development"],
        ["schools", "public-works", "police"],
    ),
    (
        "Domestic Violence Response Team",
        "Equipo de respuesta a la violencia doméstica",
        ["domestic-violence", "victim-services"],
        ["police", "courts-justice", "public-health"],
    ),
    (
        "Parks After Dark",
        "Parques de noche",
        ["parks-and-open-space", "youth-violence-prevention"],
        ["parks-recreation", "police"],
    ),
    (
        "Library Teen Nights",
        "Noches juveniles en la biblioteca",
        ["youth-development"],
        ["libraries", "youth-services"],
    ),
    (
        "Traffic Calming Project",
        "Proyecto de pacificación del tránsito",
        ["traffic-safety"],
        ["public-works", "planning"],
    ),
    (
        "Crime Analysis Unit",
        "Unidad de análisis delictivo",
        ["crime-analysis", "interdepartmental-coordination"],
        ["police", "managers-office"],
    ),
    (
        "Restorative Justice Circles",
        "Círculos de justicia restaurativa",
        ["reentry-and-diversion", "victim-services"],
        ["courts-justice", "schools"],
    ),
    (
        "Safety Coordinating Council",
        "Consejo de coordinación de seguridad",
        ["interdepartmental-coordination"],
        ["managers-office", "police", "parks-recreation"],
    ),
]

EN = {
    "adjective": [
        "Community",
        "Neighbourhood",
        "Citywide",
        "Integrated",
        "Focused",
        "Summer",
        "Evening",
        "Youth-Led",
        "Collaborative",
        "Rapid",
        "Targeted",
        "Shared",
    ],
    "target": [
        "Teens",
        "Transit Corridors",
        "Downtown Businesses",
        "Public Housing Residents",
        "School Zones",
        "Families in Crisis",
        "Young Adults Leaving Custody",
        "Night-Time Venues",
        "Older Residents",
        "Rural Roads",
        "Riverfront Parks",
    ],
    "problem": [
        "repeated robberies near a transit stop",
        "a rise in shootings among young men",
        "calls about people in mental-health crisis",
        "burglaries in older neighbourhoods",
        "speeding near primary schools",
        "drug markets on abandoned properties",
        "fights outside bars after closing time",
        "repeat domestic-violence calls",
        "vandalism and graffiti in parks",
        "teenagers with nowhere to go after school",
        "high re-arrest rates after release from jail",
        "poorly lit streets and alleys",
    ],
    "action": [
        "map the places where most incidents happened",
        "train outreach workers recruited from the neighbourhood",
        "open gyms and libraries late on weekends",
        "replace old street lights with brighter LED fixtures",
        "send clinicians instead of officers to crisis calls",
        "clean and fence vacant lots and plant trees",
        "meet residents every month to choose priorities",
        "offer mentoring, jobs and housing help to people leaving custody",
        "narrow lanes and add raised crossings near schools",
        "share data weekly between departments",
        "give victims one place to get legal, medical and housing help",
    ],
    "result": [
        "reported robberies fell by {pct} percent over two years",
        "shootings dropped by {pct} percent compared with similar areas",
        "emergency-room visits for assaults declined by {pct} percent",
        "{n} young people took part in the first year",
        "repeat calls to the same addresses fell by {pct} percent",
        "residents said they felt safer in a survey of {n} households",
        "average speeds near schools fell by {pct} percent",
        "re-arrest within a year was {pct} percent lower than for a comparison group",
    ],
    "partner": [
        "a local university",
        "the county health department",
        "neighbourhood associations",
        "faith congregations",
        "the chamber of commerce",
        "a youth sports league",
        "the regional transit agency",
        "a victim-advocacy non-profit",
        "the school district",
    ],
    "role": [
        "Program manager",
        "Deputy chief",
        "Assistant city manager",
        "Parks director",
        "Community safety coordinator",
        "Crime analyst",
    ],
    "first": [
        "Maria",
        "James",
        "Aisha",
        "Daniel",
        "Grace",
        "Samuel",
        "Linh",
        "Robert",
        "Fatima",
        "Thomas",
        "Priya",
        "Kevin",
    ],
    "last": [
        "Johnson",
        "Okafor",
        "Nguyen",
        "Smith",
        "Patel",
        "Garcia",
        "Williams",
        "Brown",
        "Kowalski",
        "Hernandez",
        "Lee",
        "Murphy",
    ],
}
ES = {
    "target": [
        "para adolescentes",
        "en corredores de transporte",
        "en el centro histórico",
        "en colonias populares",
        "en zonas escolares",
        "para familias en crisis",
        "para jóvenes que salen de prisión",
        "en espacios públicos",
        "en mercados",
    ],
    "problem": [
        "robos reiterados cerca de una parada de autobús",
        "un aumento de homicidios entre hombres jóvenes",
        "llamadas por personas en crisis de salud mental",
        "extorsiones a pequeños comercios",
        "exceso de velocidad cerca de escuelas",
        "venta de drogas en casas abandonadas",
        "riñas a la salida de bares",
        "violencia intrafamiliar reiterada",
        "vandalismo en parques y plazas",
        "jóvenes sin actividades después de clases",
        "calles y pasajes mal iluminados",
    ],
    "action": [
        "mapear los lugares donde se concentraban los incidentes",
        "formar promotores comunitarios del mismo barrio",
        "abrir polideportivos y bibliotecas los fines de semana por la noche",
        "sustituir luminarias antiguas por luces LED más potentes",
        "enviar psicólogos en lugar de patrullas a las llamadas de crisis",
        "limpiar y cercar lotes baldíos y plantar árboles",
        "reunirse cada mes con los vecinos para fijar prioridades",
        "ofrecer mentoría, empleo y vivienda a quienes salen de prisión",
        "estrechar carriles y elevar cruces peatonales cerca de las escuelas",
        "compartir datos cada semana entre las dependencias municipales",
    ],
    "result": [
        "los robos denunciados bajaron un {pct} por ciento en dos años",
        "los homicidios cayeron un {pct} por ciento frente a zonas similares",
        "{n} jóvenes participaron en el primer año",
        "las llamadas repetidas a los mismos domicilios bajaron un {pct} por ciento",
        "los vecinos dijeron sentirse más seguros en una encuesta a {n} hogares",
        "la velocidad media cerca de las escuelas bajó un {pct} por ciento",
        "la reincidencia en un año fue un {pct} por ciento menor que en el grupo de control",
    ],
    "partner": [
        "una universidad local",
        "la secretaría de salud",
        "juntas de vecinos",
        "iglesias del barrio",
        "la cámara de comercio",
        "una liga deportiva juvenil",
        "una fundación local",
        "una organización de apoyo a víctimas",
        "la agencia de cooperación",
    ],
    "role": [
        "Coordinadora del programa",
        "Subcomisario",
        "Director de prevención",
        "Directora de parques",
        "Coordinador de convivencia",
        "Analista delictiva",
    ],
    "first": [
        "María",
        "José",
        "Lucía",
        "Carlos",
        "Ana",
        "Jorge",
        "Sofía",
        "Luis",
        "Gabriela",
        "Miguel",
        "Rosa",
        "Andrés",
    ],
    "last": [
        "García",
        "Martínez",
        "López",
        "Hernández",
        "Pérez",
        "Ramírez",
        "Flores",
        "Castro",
        "Morales",
        "Vargas",
        "Rojas",
        "Mendoza",
    ],
}

# The article each Spanish program name takes (by its first word).
SPANISH_ARTICLES = {
    "Programa": "el", "Mejora": "la", "Alianza": "la", "Equipo": "el", "Iniciativa": "la",
    "Recuperación": "la", "Proyecto": "el", "Rutas": "las", "Parques": "los", "Noches": "las",
    "Unidad": "la", "Círculos": "los", "Consejo": "el",
}  # fmt: skip

# country, regions, language of its practices, name parts
_EN_PARTS = (
    [
        "Spring",
        "Oak",
        "River",
        "Mill",
        "Fair",
        "Green",
        "Lake",
        "Clear",
        "West",
        "North",
        "Red",
        "Stone",
        "Maple",
        "Cedar",
        "Pine",
        "Bright",
        "Ash",
        "Elm",
    ],
    [
        "field",
        "ville",
        "ton",
        "wood",
        "port",
        "dale",
        "bridge",
        "burg",
        "haven",
        "ford",
        "view",
        "mouth",
    ],
)
_ES_PARTS = (
    ["San", "Santa", "Villa", "Puerto", "Nueva", "Valle de", "Ciudad", "Río", "Monte"],
    [
        "Rosa",
        "Tecla",
        "Miguel",
        "Lucía",
        "Esperanza",
        "Dolores",
        "Cruz",
        "Alegre",
        "Bonito",
        "del Sol",
        "Verde",
        "Real",
        "Clara",
        "Hermosa",
    ],
)
COUNTRIES = [
    (
        "US",
        [
            "Oregon",
            "Texas",
            "Ohio",
            "California",
            "Georgia",
            "Michigan",
            "Arizona",
            "North Carolina",
            "Minnesota",
            "New York",
        ],
        Language.ENGLISH,
        _EN_PARTS,
        30,
    ),
    (
        "CA",
        ["Ontario", "British Columbia", "Alberta", "Nova Scotia"],
        Language.ENGLISH,
        _EN_PARTS,
        6,
    ),
    ("GB", ["England", "Scotland", "Wales"], Language.ENGLISH, _EN_PARTS, 5),
    ("AU", ["Victoria", "Queensland", "New South Wales"], Language.ENGLISH, _EN_PARTS, 4),
    ("ZA", ["Western Cape", "Gauteng"], Language.ENGLISH, _EN_PARTS, 2),
    ("NZ", ["Auckland", "Canterbury"], Language.ENGLISH, _EN_PARTS, 2),
    (
        "MX",
        ["Jalisco", "Nuevo León", "Chihuahua", "Oaxaca", "Puebla"],
        Language.SPANISH,
        _ES_PARTS,
        12,
    ),
    ("SV", ["San Salvador", "La Libertad", "Santa Ana"], Language.SPANISH, _ES_PARTS, 6),
    ("GT", ["Guatemala", "Quetzaltenango"], Language.SPANISH, _ES_PARTS, 4),
    ("HN", ["Francisco Morazán", "Cortés"], Language.SPANISH, _ES_PARTS, 4),
    ("CO", ["Antioquia", "Valle del Cauca", "Cundinamarca"], Language.SPANISH, _ES_PARTS, 7),
    ("CR", ["San José", "Heredia"], Language.SPANISH, _ES_PARTS, 3),
    ("CL", ["Valparaíso", "Biobío"], Language.SPANISH, _ES_PARTS, 3),
    ("AR", ["Buenos Aires", "Córdoba", "Santa Fe"], Language.SPANISH, _ES_PARTS, 4),
    ("PE", ["Lima", "Arequipa"], Language.SPANISH, _ES_PARTS, 3),
    ("ES", ["Andalucía", "Cataluña", "Madrid"], Language.SPANISH, _ES_PARTS, 4),
]
LANGUAGE_OF_COUNTRY = {country[0]: country[2] for country in COUNTRIES}
JURISDICTION_COUNT = 800
_KINDS_BY_BAND = {
    PopulationBand.UNDER_10K: [JurisdictionKind.TOWN, JurisdictionKind.MUNICIPALITY],
    PopulationBand.FROM_10K: [
        JurisdictionKind.CITY,
        JurisdictionKind.TOWN,
        JurisdictionKind.MUNICIPALITY,
    ],
    PopulationBand.FROM_50K: [
        JurisdictionKind.CITY,
        JurisdictionKind.COUNTY,
        JurisdictionKind.DISTRICT,
    ],
    PopulationBand.FROM_250K: [
        JurisdictionKind.CITY,
        JurisdictionKind.COUNTY,
        JurisdictionKind.REGION,
    ],
}

# award slug, name, sponsor, categories (slug, name)
AWARDS = [
    (
        "local-government-excellence",
        "Local Government Excellence Award",
        "An association of city and county managers",
        [
            ("health-safety-under-10k", "Community health and safety, under 10,000"),
            ("health-safety-10k-50k", "Community health and safety, 10,000 to 49,999"),
            ("health-safety-50k-plus", "Community health and safety, 50,000 and over"),
        ],
    ),
    (
        "problem-solving-prize",
        "Problem-Solving Policing Prize",
        "A policing research centre",
        [("problem-solving", "Problem-oriented project")],
    ),
    (
        "premio-convivencia",
        "Premio Municipal a la Convivencia",
        "Una red de municipios",
        [("prevencion", "Prevención de la violencia"), ("espacio-publico", "Espacio público")],
    ),
]


@dataclass
class GenerationReport:
    practices: int = 0
    recognitions: int = 0
    deleted: int = 0
    seconds: float = 0.0


class GeneratorRefused(Exception):
    """The database holds practices the generator did not make (and no --force)."""


def generated() -> models.QuerySet:
    return Practice.objects.filter(slug__startswith=PREFIX)


def _band_population(rng: random.Random, band: PopulationBand) -> int:
    low, high = PopulationBand.bounds(band)
    low, high = max(low, 800), high or 4_000_000
    return int(math.exp(rng.uniform(math.log(low), math.log(high - 1))))


def ensure_reference_data() -> dict:
    """Create missing topics, departments, jurisdictions and awards (by slug); return ids."""
    rng = random.Random(7)  # reference data never depends on the seed
    existing = set(
        Topic.objects.filter(slug__in=[t[0] for t in TOPICS]).values_list("slug", flat=True)
    )
    Topic.objects.bulk_create(
        Topic(slug=slug, name=name, name_es=name_es, position=position)
        for position, (slug, name, name_es) in enumerate(TOPICS)
        if slug not in existing and slug not in SUBTOPICS
    )
    parent = Topic.objects.get(slug="environmental-design")
    Topic.objects.bulk_create(
        Topic(slug=slug, name=name, name_es=name_es, position=position, parent=parent)
        for position, (slug, name, name_es) in enumerate(TOPICS)
        if slug not in existing and slug in SUBTOPICS
    )
    existing = set(Department.objects.values_list("slug", flat=True))
    Department.objects.bulk_create(
        Department(slug=slug, name=name, name_es=name_es, position=position)
        for position, (slug, name, name_es) in enumerate(DEPARTMENTS)
        if slug not in existing
    )

    weights = [c[4] for c in COUNTRIES]
    bands = list(PopulationBand)
    jurisdictions = []
    for number in range(JURISDICTION_COUNT):
        code, regions, _language, (first, second), _w = rng.choices(COUNTRIES, weights)[0]
        joiner = "" if first is _EN_PARTS[0] else " "
        name = f"{rng.choice(first)}{joiner}{rng.choice(second)}"
        band = bands[number % len(bands)]
        jurisdictions.append(
            Jurisdiction(
                slug=f"{PREFIX}{number:04d}-{slugify(name)}-{code.lower()}",
                name=name,
                kind=rng.choice(_KINDS_BY_BAND[band]),
                country=code,
                region=rng.choice(regions),
                population=_band_population(rng, band),
                population_year=rng.choice([2010, 2015, 2020, 2022]),
            )
        )
    existing = set(
        Jurisdiction.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True)
    )
    Jurisdiction.objects.bulk_create(j for j in jurisdictions if j.slug not in existing)

    for slug, name, sponsor, categories in AWARDS:
        award, _created = Award.objects.get_or_create(
            slug=slug, defaults={"name": name, "sponsor": sponsor}
        )
        for category_slug, category_name in categories:
            AwardCategory.objects.get_or_create(
                award=award, slug=category_slug, defaults={"name": category_name}
            )

    return {
        "topics": dict(Topic.objects.values_list("slug", "id")),
        "departments": dict(Department.objects.values_list("slug", "id")),
        "jurisdictions": [
            (j.id, j.country.code, j.name, j.population)
            for j in Jurisdiction.objects.filter(slug__startswith=PREFIX).order_by("slug")
        ],
        "awards": [
            (a.id, [c.id for c in a.categories.order_by("slug")])
            for a in Award.objects.filter(slug__in=[a[0] for a in AWARDS]).order_by("slug")
        ],
    }


class _Writer:
    """Builds the text of one practice from sentence templates, in English or Spanish."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def fill(self, template: str) -> str:
        return template.format(pct=self.rng.randint(8, 55), n=self.rng.randint(40, 2400))

    def english(self, place: str, program: tuple, year: int) -> dict:
        r, v = self.rng, EN
        name = program[0]
        title = r.choice(
            [
                f"{r.choice(v['adjective'])} {name} for {r.choice(v['target'])}",
                f"{place} {name}",
                f"{name}: {r.choice(v['target'])}",
            ]
        )
        problem, action, action2 = r.choice(v["problem"]), *r.sample(v["action"], 2)
        partner, partner2 = r.sample(v["partner"], 2)
        return {
            "title": title[:200],
            "summary": (
                f"{place} started the {name.lower()} in {year} after {problem}. "
                f"City staff worked with {partner} to {action}. "
                f"Within two years {self.fill(r.choice(v['result']))}."
            ),
            "problem": (
                f"Residents and officers had reported {problem} for several years. "
                f"Earlier efforts relied on one department and did not last."
            ),
            "approach": (
                f"The team chose to {action} and to {action2}. "
                f"A coordinator in the manager's office met the partners every month, "
                f"and {partner2} helped reach people who distrusted the city."
            ),
            "partners": f"{partner.capitalize()}; {partner2}",
            "results": (
                f"After the first year {self.fill(r.choice(v['result']))}. "
                f"By the end of the evaluation {self.fill(r.choice(v['result']))}."
            ),
            "evidence_notes": r.choice(
                [
                    "A before-and-after comparison with similar neighbourhoods.",
                    "An independent evaluation by a university research team.",
                    "Internal figures only; no comparison group yet.",
                    "A randomised trial across matched street segments.",
                ]
            ),
            "cost_notes": f"About ${r.randint(2, 90) * 5_000:,} a year, "
            + r.choice(
                ["from the general fund.", "mostly from a state grant.", "shared by partners."]
            ),
            "contact_name": f"{r.choice(v['first'])} {r.choice(v['last'])}",
            "contact_role": r.choice(v["role"]),
        }

    def spanish(self, place: str, program: tuple, year: int) -> dict:
        r, v = self.rng, ES
        name = program[1]
        article = SPANISH_ARTICLES[name.split()[0]]
        title = r.choice(
            [
                f"{name} {r.choice(v['target'])}",
                f"{name} de {place}",
                f"{place}: {name[0].lower() + name[1:]}",
            ]
        )
        problem, action, action2 = r.choice(v["problem"]), *r.sample(v["action"], 2)
        partner, partner2 = r.sample(v["partner"], 2)
        return {
            "title": title[:200],
            "summary": (
                f"{place} puso en marcha {article} {name[0].lower() + name[1:]} en {year} tras "
                f"{problem}. El municipio trabajó con {partner} para {action}. "
                f"En dos años {self.fill(r.choice(v['result']))}."
            ),
            "problem": (
                f"Los vecinos denunciaban {problem} desde hacía años. "
                "Los esfuerzos anteriores dependían de una sola dependencia y no duraron."
            ),
            "approach": (
                f"El equipo decidió {action} y {action2}. "
                f"Una coordinación municipal reunía a los socios cada mes, y {partner2} "
                "ayudó a llegar a quienes desconfiaban de las autoridades."
            ),
            "partners": f"{partner[0].upper() + partner[1:]}; {partner2}",
            "results": (
                f"Tras el primer año {self.fill(r.choice(v['result']))}. "
                f"Al cierre de la evaluación {self.fill(r.choice(v['result']))}."
            ),
            "evidence_notes": r.choice(
                [
                    "Comparación antes y después con barrios similares.",
                    "Evaluación independiente de una universidad.",
                    "Solo datos internos; todavía sin grupo de comparación.",
                ]
            ),
            "cost_notes": f"Unos {r.randint(2, 90) * 5_000:,} dólares al año".replace(",", ".")
            + r.choice([", del presupuesto municipal.", ", con fondos de cooperación."]),
            "contact_name": f"{r.choice(v['first'])} {r.choice(v['last'])}",
            "contact_role": r.choice(v["role"]),
        }


def _columns(model, names: list[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _through(field_name: str) -> tuple[str, str, str]:
    """Table, practice column and other column of a Practice many-to-many field."""
    field = Practice._meta.get_field(field_name)
    through = field.remote_field.through._meta
    return (
        through.db_table,
        through.get_field(field.m2m_field_name()).column,
        through.get_field(field.m2m_reverse_field_name()).column,
    )


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    sql = f"COPY {connection.ops.quote_name(table)} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _gin_indexes_rebuilt(cursor, count: int):
    """For large loads, drop the practice table's GIN (full-text) indexes and build them
    again afterwards, from their own definitions: one build is several times faster than
    updating them row by row. Inside the caller's transaction, so never left missing."""
    if count < BULK_INDEX_THRESHOLD:
        yield
        return
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = %s AND indexdef LIKE %s",
        [Practice._meta.db_table, "% USING gin %"],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    # Foreign keys are checked at commit; an index cannot be built with checks pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)


def delete_generated() -> int:
    """Delete the generated practices and the rows that depend on them, set-wise in SQL."""
    practice_table = Practice._meta.db_table
    subquery = f"SELECT id FROM {practice_table} WHERE slug LIKE %s"  # noqa: S608
    pattern = PREFIX.replace("_", r"\_") + "%"
    with connection.cursor() as cursor:
        for field in Practice._meta.get_fields(include_hidden=True):
            if field.many_to_many and not field.auto_created:
                table, column, _other = _through(field.name)
            elif field.many_to_many:  # reverse many-to-many (publications' related practices)
                through = field.through._meta
                table = through.db_table
                column = next(f.column for f in through.fields if f.related_model is Practice)
            elif field.one_to_many or (field.one_to_one and field.auto_created):
                table, column = field.related_model._meta.db_table, field.field.column
                on_delete = field.field.remote_field.on_delete
                if on_delete is models.SET_NULL:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({subquery})",  # noqa: S608
                        [pattern],
                    )
                    continue
            else:
                continue
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({subquery})", [pattern])  # noqa: S608
        cursor.execute(f"DELETE FROM {practice_table} WHERE slug LIKE %s", [pattern])  # noqa: S608
        return cursor.rowcount


PRACTICE_FIELDS = [
    "id", "slug", "state", "published_at", "created_at", "updated_at", "language",
    "title", "summary", "problem", "approach", "partners", "results", "evidence_rating",
    "evidence_strength", "evidence_notes", "cost_notes", "year_started", "year_ended",
    "lead_jurisdiction", "contact_name", "contact_role", "contact_email",
    "contact_phone", "website",
]  # fmt: skip
RATINGS = [r.value for r in EvidenceRating]
RATING_WEIGHTS = [20, 30, 10, 3, 37]
STRENGTHS = [s.value for s in EvidenceStrength]


@dataclass
class _Relations:
    """Rows of the tables that hang off the generated practices, filled as they are made."""

    m2m: dict
    sources: list
    outcomes: list
    recognitions: list

    @classmethod
    def empty(cls) -> "_Relations":
        return cls({"topics": [], "departments": [], "partner_jurisdictions": []}, [], [], [])


def _refuse_a_curated_catalogue(force: bool) -> None:
    others = Practice.objects.exclude(slug__startswith=PREFIX).count()
    if others and not force:
        raise GeneratorRefused(
            f"The database holds {others} practice(s) that were not generated. "
            "Use a separate database for scale tests, or --force to add to it anyway."
        )


def _reserve_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Practice._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _practice_row(
    rng: random.Random,
    writer: _Writer,
    refs: dict,
    number: int,
    pk: int,
    publish: bool,
    relations: _Relations,
) -> tuple:
    """One practice's row for COPY; its topics, departments, partners, sources, outcomes
    and recognitions go into ``relations``."""
    jid, code, place, _population = rng.choice(refs["jurisdictions"])
    language = LANGUAGE_OF_COUNTRY[code]
    if rng.random() < 0.1:  # some entries are written in the other language
        language = Language.SPANISH if language == Language.ENGLISH else Language.ENGLISH
    program = rng.choice(PROGRAMS)
    year = rng.randint(1995, 2025)
    ended = year + rng.randint(1, 8) if rng.random() < 0.35 else None
    text = (writer.spanish if language == Language.SPANISH else writer.english)(
        place, program, year
    )
    published = REFERENCE_DAY - timedelta(minutes=rng.randint(0, 10 * 365 * 24 * 60))
    created = published - timedelta(days=rng.randint(0, 120))
    slug = f"{PREFIX}{number:07d}-{slugify(text['title'])[:80].rstrip('-')}"
    first, _space, last = text["contact_name"].partition(" ")
    rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
    state = PublishingState.PUBLISHED if publish else PublishingState.DRAFT
    row = (
        pk, slug, state, published if publish else None, created, published,
        language, text["title"], text["summary"], text["problem"], text["approach"],
        text["partners"], text["results"], rating,
        "" if rating == EvidenceRating.INSUFFICIENT else rng.choice(STRENGTHS),
        text["evidence_notes"], text["cost_notes"], year,
        min(ended, 2026) if ended else None, jid, text["contact_name"],
        text["contact_role"],
        f"{slugify(first)}.{slugify(last)}@example.org",
        f"+{rng.randint(1, 599)} {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
        f"https://example.org/{slugify(place)}/{slugify(program[0])}",
    )  # fmt: skip
    _add_relations(rng, refs, pk, jid, program, year, published, text, relations)
    return row


def _add_relations(rng, refs, pk, jid, program, year, published, text, relations) -> None:
    chosen = set(program[2])
    if rng.random() < 0.4:
        chosen.add(rng.choice(TOPICS)[0])
    topic_ids, department_ids = refs["topics"], refs["departments"]
    relations.m2m["topics"].extend((pk, topic_ids[t]) for t in chosen if t in topic_ids)
    depts = set(program[3])
    if rng.random() < 0.5:
        depts.add(rng.choice(DEPARTMENTS)[0])
    relations.m2m["departments"].extend((pk, department_ids[d]) for d in depts)
    if rng.random() < 0.15:
        partner = rng.choice(refs["jurisdictions"])[0]
        if partner != jid:
            relations.m2m["partner_jurisdictions"].append((pk, partner))
    for position in range(rng.choice([0, 1, 1, 2])):
        relations.sources.append(
            (pk, f"Evaluation report {position + 1}",
             f"https://example.org/reports/{pk}/{position + 1}", position)
        )  # fmt: skip
    for position in range(rng.choice([0, 0, 1, 2])):
        sentence = text["results"].split(".")[position].strip()[:300]
        relations.outcomes.append((pk, rng.choice(RATINGS), sentence, position))
    if rng.random() < 0.12:
        for award_id, category_ids in rng.sample(refs["awards"], rng.choice([1, 1, 1, 2])):
            relations.recognitions.append(
                (pk, award_id, rng.choice(category_ids),
                 min(year + rng.randint(1, 4), 2025),
                 rng.choice(list(RecognitionLevel)).value,
                 "Recognised for measurable results and strong partnerships.",
                 published)
            )  # fmt: skip


def _copy_relations(cursor, relations: _Relations) -> None:
    for name, rows in relations.m2m.items():
        _copy(cursor, *_m2m_target(name), rows)
    _copy(
        cursor,
        Source._meta.db_table,
        _columns(Source, ["practice", "title", "url", "position"]),
        relations.sources,
    )
    _copy(
        cursor,
        Outcome._meta.db_table,
        _columns(Outcome, ["practice", "rating", "description", "position"]),
        relations.outcomes,
    )
    _copy(
        cursor,
        Recognition._meta.db_table,
        _columns(
            Recognition, ["practice", "award", "category", "year", "level", "citation", "tagged_at"]
        ),
        relations.recognitions,
    )


def _analyze(relations: _Relations) -> None:
    """Fresh planner statistics for every table the copy filled."""
    with connection.cursor() as cursor:
        for model in (Practice, Source, Outcome, Recognition, Jurisdiction):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        for name in relations.m2m:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(_through(name)[0])}")


def generate(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    publish: bool = True,
    replace: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> GenerationReport:
    """Add ``count`` synthetic practices (slugs ``gen-…``) in one transaction."""
    started = time.monotonic()
    report = GenerationReport()
    _refuse_a_curated_catalogue(force)
    rng = random.Random(seed)
    writer = _Writer(rng)
    relations = _Relations.empty()
    with transaction.atomic():
        if replace:
            report.deleted = delete_generated()
            progress(f"Deleted {report.deleted} generated practices.")
        refs = ensure_reference_data()
        offset = generated().count()
        ids = _reserve_ids(count)
        rows = (
            _practice_row(rng, writer, refs, number, pk, publish, relations)
            for number, pk in enumerate(ids, start=offset)
        )
        # Django's cursor wraps a psycopg 3 cursor, whose copy() it passes through.
        with connection.cursor() as cursor, _gin_indexes_rebuilt(cursor, count):
            _copy(cursor, Practice._meta.db_table, _columns(Practice, PRACTICE_FIELDS), rows)
            progress(f"Copied {count} practices.")
            _copy_relations(cursor, relations)
            progress("Copied topics, departments, partners, sources, outcomes, recognitions.")
    _analyze(relations)
    # PostgreSQL's triggers replaced the catalogue version; rebuild the suggestion vocabulary.
    refresh_search_words()
    report.practices = count
    report.recognitions = len(relations.recognitions)
    report.seconds = time.monotonic() - started
    return report


def _m2m_target(field_name: str) -> tuple[str, list[str]]:
    table, practice_column, other_column = _through(field_name)
    return table, [practice_column, other_column]
