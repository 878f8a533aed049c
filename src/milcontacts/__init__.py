"""MilContacts-FR: a French news corpus of US-Russian military-to-military contacts,
with stand-off annotations of entities, time expressions, events and sources."""

__version__ = "0.1.0"
