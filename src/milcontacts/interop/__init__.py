"""Annotation tools in and out: brat, INCEpTION, spaCy, CoNLL-2003 and BigBio (docs/interop.md).

One module per format, :mod:`.common` for what they share, :mod:`.cli` for
``milcontacts export`` and ``milcontacts import``.
"""
