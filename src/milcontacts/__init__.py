"""MilContacts-FR: a French news corpus of US-Russian military-to-military contacts,
with stand-off annotations of entities, time expressions, events and sources."""

#: The one version of the dataset and the package (semantic: CHANGELOG.md); the loading script's
#: VERSION, pyproject.toml, CITATION.cff, the card and croissant.json repeat it (a test checks).
__version__ = "2.0.0"
#: The date of that release (CHANGELOG.md's heading; Croissant's datePublished).
RELEASE_DATE = "2026-11-30"
