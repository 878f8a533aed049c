"""``milcontacts build [ROOT] --out DIR``: the hub-ready Hugging Face dataset folder.

What is written::

    DIR/README.md                       dataset card: YAML front matter (configs, dataset_info, tags)
    DIR/croissant.json                  Croissant 1.1 metadata of the Parquet files
    DIR/LICENSE.md                      the rights: annotations CC-BY-4.0, texts third-party
    DIR/<config>/<split>-00000-of-0000N.parquet
    DIR/milcontacts_fr.py               the loading script, for datasets < 4
    DIR/data/{splits.yaml,annotations/,corpus/}   what the script reads

The loading script (``scripts/milcontacts_fr.py``) is the single source of the
features and of the rows: this module imports it by path and calls the same
functions its ``_generate_examples`` calls, so the Parquet files and the
script cannot disagree.  It uses the script that ships with this package (the
repository's ``scripts/`` in a checkout, a copy inside the wheel otherwise),
not one found under ROOT: ROOT is data (a test fixture or a contributor's
corpus has no ``scripts/``), and this module and the script must come from the
same version because one calls the other.

Guarantees:

* The corpus is validated first (:func:`milcontacts.validate.validate_corpus`,
  levels 1-6: splits, stories and links included); any error stops the build
  with the diagnostics, exit code 1.  No symbolic link is ever followed.
* Deterministic: the same sources give byte-identical Parquet files, card and
  Croissant file (no timestamps, rows in a fixed order, fixed file names).
* Atomic: everything is written into a temporary folder next to DIR, which
  then replaces DIR in one rename (``renameat2(RENAME_EXCHANGE)`` on Linux;
  elsewhere two renames, between which DIR is briefly absent).  An
  interrupted build never leaves a half-written DIR, and an existing DIR stays
  intact until the new one is complete.
* One parse per file, all cores: validation keeps the parsed data in a private
  temporary folder (the system's temporary directory, never under ROOT), from
  which the rows are made by a pool of processes (``jobs``) and consumed in
  input order; rows waiting for their shard wait there too, as Arrow data.  The
  folder is deleted at the end; the output does not depend on ``jobs``.
  Temporary folders are named ``<prefix><pid>-<random>``: those of a killed
  build are removed by the next one.
* A rebuild does not run spaCy again: with ``cache_dir`` (the CLI's default is
  ``ROOT/.milcontacts-cache``, shared with ``validate``) the tokens and
  sentences of every text are cached, content-addressed (:mod:`.tokens`), and
  handed to the loading script through its ``Document.segmenter`` attribute;
  the output is byte-identical with or without the cache.
* A rebuild of unchanged inputs writes nothing new: with ``cache_dir`` the
  whole output is also stored, keyed by every input file under ROOT, the
  package's code, the loading script, the schemas and the library versions
  (:mod:`.reuse`); after validation, a build whose key is stored copies that
  output (every file checked against its sha256) instead of making it, without
  importing ``datasets``.  A damaged entry is discarded and the build runs in full.

Build-time error codes (the validator's codes are in ``checks.py``):
``B001`` a name mention does not align with the ``ner`` tokens; ``B002`` the
splits are unusable (a backstop: the validator reports C001-C005 first);
``B003`` another problem found by the loading script.

Modules: :mod:`.pipeline` (the steps, :func:`build`, the verb), :mod:`.script`
(the loading script), :mod:`.rows` (rows per document, the process pool),
:mod:`.parquet` (shards), :mod:`.card` (README.md, LICENSE.md),
:mod:`.croissant`, :mod:`.publish` (paths, copies, the atomic swap), :mod:`.tokens`
(the token and sentence cache), :mod:`.reuse` (whole outputs of unchanged inputs),
:mod:`.errors`.
"""

from __future__ import annotations

from .card import ANNOTATION_LICENSE, LICENSE_TEXT, PRETTY_NAME, describe_feature, render_card
from .croissant import render_croissant
from .errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, BuildError
from .parquet import DEFAULT_MAX_SHARD_BYTES, Shard, ShardWriter, SplitOutput
from .pipeline import BuildResult, build, run
from .script import SCRIPT_NAME, load_script, script_path

__all__ = ["ANNOTATION_LICENSE", "LICENSE_TEXT", "PRETTY_NAME", "describe_feature", "render_card",
           "render_croissant", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "BuildError", "DEFAULT_MAX_SHARD_BYTES",
           "Shard", "ShardWriter", "SplitOutput", "BuildResult", "build", "run", "SCRIPT_NAME", "load_script",
           "script_path"]
