"""Fixed vocabularies of the synthetic B2B SaaS company.

Everything a generated row can say (plans and their prices, industries, event
names, reason codes, note texts) lives here, so the simulation modules hold only
behaviour and a reader can see the whole universe of values in one page.
"""

from __future__ import annotations

from typing import Final

PLANS: Final = ("starter", "growth", "business", "enterprise")
PLAN_SHARE: Final = (0.40, 0.32, 0.20, 0.08)
# Monthly recurring revenue range (USD) of one account's main subscription per plan.
PLAN_MRR: Final = ((49.0, 299.0), (300.0, 1500.0), (1500.0, 6000.0), (6000.0, 40000.0))
# Median company size (employees) per plan; sizes are log-normal around it.
PLAN_EMPLOYEES: Final = (15.0, 80.0, 400.0, 3000.0)
# Share of accounts per plan on annual contracts (the rest bill monthly).
PLAN_ANNUAL_SHARE: Final = (0.2, 0.5, 0.8, 1.0)
MAIN_PRODUCT: Final = "platform"
ADDON_PRODUCT: Final = "analytics add-on"

INDUSTRIES: Final = (
    "software", "financial services", "healthcare", "retail", "manufacturing",
    "education", "media", "logistics", "professional services", "real estate",
)  # fmt: skip
REGIONS: Final = ("north_america", "emea", "apac", "latam")
REGION_SHARE: Final = (0.45, 0.32, 0.15, 0.08)
# Offset of the region's typical local time from UTC, in hours.
REGION_UTC_OFFSET: Final = (-5, 1, 8, -3)

COMPANY_WORDS: Final = (
    "acme", "blue", "north", "bright", "silver", "river", "summit", "cedar", "nova", "atlas",
    "pixel", "harbor", "granite", "lumen", "orbit", "prairie", "quartz", "falcon", "maple",
    "vertex", "willow", "zenith", "coral", "ember", "delta", "echo", "fjord", "golden",
    "ivory", "juniper", "keystone", "lattice", "meadow", "nimbus", "oak", "pioneer",
    "rapid", "sierra", "tidal", "union",
)  # fmt: skip
COMPANY_NOUNS: Final = (
    "works", "labs", "systems", "logic", "data", "cloud", "foods", "health", "freight",
    "capital", "media", "energy", "studio", "retail", "bank", "learning", "robotics",
    "partners", "supply", "motors", "design", "security", "travel", "homes", "analytics",
)  # fmt: skip
COMPANY_SUFFIXES: Final = ("Inc", "LLC", "GmbH", "Ltd", "Group", "Co", "SA", "BV")
TLDS: Final = ("com", "io", "co", "net", "de", "co.uk", "fr", "com.au")

FIRST_NAMES: Final = (
    "alex", "maria", "james", "sofia", "chen", "priya", "lucas", "emma", "omar", "yuki",
    "noah", "olivia", "mateo", "amara", "li", "hannah", "ivan", "fatima", "daniel", "grace",
    "kofi", "elena", "sam", "nina", "raj", "lea", "tom", "zoe", "ali", "mia",
)  # fmt: skip
LAST_NAMES: Final = (
    "smith", "garcia", "mueller", "rossi", "tanaka", "patel", "kim", "silva", "nguyen",
    "johnson", "dubois", "kowalski", "andersen", "okafor", "ivanova", "cohen", "haddad",
    "santos", "murphy", "larsen", "novak", "schmidt", "moreau", "wang", "brown", "lopez",
)  # fmt: skip

ROLES: Final = ("champion", "exec sponsor", "admin", "user")
ROLE_TITLES: Final = (
    ("Head of Operations", "Team Lead", "Product Manager"),
    ("VP Operations", "COO", "CTO"),
    ("IT Administrator", "Systems Engineer", "Operations Analyst"),
    ("Analyst", "Specialist", "Coordinator", "Associate", "Engineer"),
)

# Event names. The order is the event code used throughout the generator.
EVENTS: Final = (
    "login", "core_feature_used", "message_sent", "report_viewed", "integration_added",
    "community_post", "signed_up", "account_created", "profile_completed",
    "setup_completed", "tutorial_completed",
)  # fmt: skip
EVENT_CODE: Final = {name: code for code, name in enumerate(EVENTS)}
# Share of each usage event (codes 0..5) after a session's first login, per role.
ROLE_EVENT_MIX: Final = (
    (0.02, 0.45, 0.33, 0.15, 0.002, 0.04),
    (0.05, 0.12, 0.13, 0.69, 0.00, 0.01),
    (0.02, 0.40, 0.25, 0.25, 0.008, 0.03),
    (0.02, 0.50, 0.35, 0.11, 0.00, 0.02),
)
FEATURES: Final = (
    "inbox", "automations", "dashboards", "workflows", "templates", "api", "mobile", "ai_assist",
)  # fmt: skip
REPORTS: Final = ("usage", "pipeline", "team_performance", "roi")
CHANNELS: Final = ("email", "chat", "sms")
INTEGRATIONS: Final = ("slack", "salesforce", "hubspot", "zendesk", "jira", "google_drive")

CHURN_REASONS: Final = (
    "price", "product_fit", "competitor", "budget_cut", "support", "champion_left",
    "poor_onboarding",
)  # fmt: skip
# Weights of the reasons drawn at random (the last two follow from the account's story).
RANDOM_REASON_WEIGHTS: Final = (0.28, 0.22, 0.2, 0.2, 0.1)

TICKET_PRIORITIES: Final = ("low", "normal", "high", "urgent")
TICKET_PRIORITY_SHARE: Final = (0.30, 0.45, 0.18, 0.07)
TICKET_SOLVE_HOURS: Final = (72.0, 40.0, 16.0, 5.0)  # median hours to solve, per priority
TICKET_OPEN_STATUSES: Final = ("new", "open", "pending")
TICKET_CATEGORIES: Final = ("how_to", "bug", "billing", "feature_request", "access")
TICKET_CHANNELS: Final = ("email", "chat", "web")

NPS_COMMENTS: Final = (
    ("Too expensive for what we get.", "Support takes too long.", "Missing features we need.",
     "Hard to get the team to use it."),
    ("Does the job.", "Good, but reporting could be better.", "Fine overall."),
    ("Love it, the team uses it every day.", "Great support and product.",
     "Saves us hours every week."),
)  # fmt: skip

TOUCH_KINDS: Final = ("call", "meeting", "qbr", "onsite", "email", "webinar", "newsletter")
# Expected touches per month per kind, per plan (the touch model of each tier).
# QBRs, onsites and newsletters follow a calendar instead; their rates here are 0.
TOUCH_RATES: Final = (
    (0.0, 0.0, 0.0, 0.0, 0.3, 0.25, 0.0),
    (0.3, 0.1, 0.0, 0.0, 1.0, 0.2, 0.0),
    (0.8, 0.4, 0.0, 0.0, 2.0, 0.1, 0.0),
    (1.5, 1.0, 0.0, 0.0, 3.0, 0.1, 0.0),
)
TOUCH_NOTES: Final = (
    "Check-in on adoption.", "Discussed renewal timeline.", "Walked through new features.",
    "Escalated open tickets.", "Reviewed goals and usage.", "Introduced new admin.",
)  # fmt: skip
