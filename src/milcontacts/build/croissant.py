"""croissant.json: Croissant 1.1 metadata of the Parquet files."""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

from .card import ANNOTATION_LICENSE, PRETTY_NAME, cite_as
from . import configs as cfg
from .parquet import SplitOutput


_CROISSANT_TYPES = {"string": "sc:Text", "large_string": "sc:Text", "bool": "sc:Boolean",
                    "int8": "cr:Int8", "int16": "cr:Int16", "int32": "cr:Int32", "int64": "cr:Int64",
                    "float32": "cr:Float32", "float64": "cr:Float64"}

_CROISSANT_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "equivalentProperty": "cr:equivalentProperty",
    "repeated": "cr:repeated", "samplingRate": "cr:samplingRate",
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field",
    "fileObject": "cr:fileObject", "fileProperty": "cr:fileProperty", "fileSet": "cr:fileSet",
    "format": "cr:format", "includes": "cr:includes", "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "replace": "cr:replace", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
}


def _croissant_field(fileset: str, field_id: str, column: str, feature: Any, json_path: list[str],
                     in_array: bool, omitted: list[str]) -> dict[str, Any] | None:
    """A Croissant field for a datasets feature: structs become subFields, lists isArray.

    A list inside a list is not described (None, its path added to ``omitted``):
    mlcroissant reads one level of repeated subfields only (deeper ones stop its
    ``ReadFields`` with a GenerationError), and every record set must be readable.
    """
    from datasets import ClassLabel, Value

    def source() -> dict[str, Any]:
        src: dict[str, Any] = {"fileSet": {"@id": fileset}, "extract": {"column": column}}
        if json_path:
            src["transform"] = ([{"jsonPath": p} for p in json_path] if len(json_path) > 1
                                else {"jsonPath": json_path[0]})
        return src

    if isinstance(feature, Value):
        return {"@type": "cr:Field", "@id": field_id, "dataType": _CROISSANT_TYPES[feature.dtype],
                "source": source()}
    if isinstance(feature, ClassLabel):
        return {"@type": "cr:Field", "@id": field_id, "dataType": "sc:Integer", "source": source(),
                "description": "class label id; names: " + ", ".join(feature.names)}
    if isinstance(feature, dict):
        subs = [_croissant_field(fileset, f"{field_id}/{name}", column, sub, json_path + [name], in_array, omitted)
                for name, sub in feature.items()]
        described = [x for x in subs if x is not None]
        # A struct whose every member is a nested list is left out whole (its members are listed).
        return {"@type": "cr:Field", "@id": field_id, "subField": described} if described else None
    inner = feature[0] if isinstance(feature, (list, tuple)) else getattr(feature, "feature", None)
    if inner is None:
        raise TypeError(f"no Croissant mapping for {feature!r}")
    if in_array:
        omitted.append(field_id)
        return None
    result = _croissant_field(fileset, field_id, column, inner, json_path, True, omitted)
    assert result is not None
    result["isArray"] = True
    result["arrayShape"] = "-1"
    return result


def record_set_fields(module: ModuleType, config: str, fileset: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The Croissant fields of a config's columns, and the ids of the nested lists left out."""
    omitted: list[str] = []
    fields = []
    for column, feature in cfg.features(module, config).items():
        field = _croissant_field(fileset, f"{config}/{column}", column, feature, [], False, omitted)
        if field is not None:
            fields.append(field)
    return fields, omitted


#: Responsible-AI properties (Croissant RAI vocabulary, http://mlcommons.org/croissant/RAI/):
#: facts stated in the project's DATACARD.md only.
RAI = {
    "rai:dataCollection": (
        "Five French news texts received as captures of web pages and stored unchanged, byte for byte "
        "(sha256 checked); noise such as navigation, repeated teasers, reader comments and lists of other "
        "headlines is kept and marked by zones. No preprocessing."),
    "rai:dataCollectionType": "Web pages captured by others (found text); not scraped by the project.",
    "rai:dataAnnotationProtocol": (
        "Guidelines in docs/guidelines.md (version 1.2). Metadata and zones written once by the maintainer; "
        "two independent annotation passes (a, b), agreement measured, kb merge, adjudication per document; "
        "then an independent review pass c under guidelines 1.2 and a second adjudication. Every span was "
        "located by code and every file validated with milcontacts validate."),
    "rai:dataAnnotationPlatform": "Plain YAML files checked with the project's validator (milcontacts validate).",
    "rai:dataAnnotationAnalysis": (
        "Agreement between passes (span F1, Cohen's kappa) is in the datasheet (DATACARD.md); both passes were "
        "made by sessions of the same model, so agreement is an upper bound on human agreement."),
    "rai:annotationsPerItem": (
        "Two independent passes (a, b) plus a review pass (c) per document, each adjudicated into one final "
        "annotation file."),
    "rai:annotatorDemographics": (
        "The annotators are not humans: every pass and adjudication was made by separate sessions of an AI "
        "language model (helper sessions), each given only its instructions, the guidelines, the schema and the "
        "texts. No human has reviewed the annotations span by span; read them as carefully model-made and "
        "cross-checked, not as human-expert gold."),
    "rai:machineAnnotationTools": "Sessions of an AI language model; spans located with code (str.find in context).",
    "rai:personalSensitiveInformation": (
        "The texts name public figures in their public role, and one text contains reader comments with three "
        "reader pseudonyms: personal data published on a news site. No other personal data."),
    "rai:dataLimitations": (
        "Five documents: a seed corpus and a test bed for the schema, tools and benchmark, not a training set; "
        "every split is tiny, so differences of a few points are not meaningful. Annotations are model-made "
        "(see annotator demographics). No Wikidata id has been checked, so all are null."),
    "rai:dataBiases": (
        "Three stories of US-Russian military-to-military contacts (Syria 2015, Baku 2017, Helsinki 2021) in a "
        "few French-language sources and agencies (AFP, Xinhua, Sputnik France); the news register and the "
        "sources' framing are not balanced."),
    "rai:dataUseCases": (
        "Intended: measuring information-extraction systems on French news (named entities, time expressions, "
        "events, attribution, entity linking) and testing annotation tools. Out of scope: training production "
        "models on five texts, drawing conclusions about the events or people described, and any reuse of the "
        "texts themselves, whose rights stay with their publishers."),
    "rai:dataReleaseMaintenancePlan": (
        "Releases follow semantic versioning (CHANGELOG.md); each published release is tagged with its version "
        "on the Hub so that users can pin revision=."),
}


def render_croissant(module: ModuleType, outputs: dict[str, list[SplitOutput]]) -> str:
    """croissant.json: Croissant 1.1 with the RAI properties, one FileSet and one RecordSet per
    config, plus its splits; version and date are the package's (one dataset version)."""
    from .. import RELEASE_DATE, __version__

    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for config, splits in outputs.items():
        fileset = f"parquet-files-{config}"
        distribution.append({"@type": "cr:FileSet", "@id": fileset, "name": fileset,
                             "description": f"Parquet files of the {config} config.",
                             "encodingFormat": "application/x-parquet", "includes": f"{config}/*.parquet"})
        split_set = f"{config}_splits"
        record_sets.append({
            "@type": "cr:RecordSet", "@id": split_set, "name": split_set, "dataType": "cr:Split",
            "description": f"Splits of the {config} config.", "key": {"@id": f"{split_set}/split_name"},
            "field": [{"@type": "cr:Field", "@id": f"{split_set}/split_name", "dataType": "sc:Text"}],
            "data": [{f"{split_set}/split_name": s.name} for s in splits]})
        names = "|".join(re.escape(s.name) for s in splits)
        fields = [{"@type": "cr:Field", "@id": f"{config}/split", "dataType": "sc:Text",
                   "source": {"fileSet": {"@id": fileset}, "extract": {"fileProperty": "fullpath"},
                              "transform": {"regex": rf"^(?:.*/)?{re.escape(config)}/({names})-\d+-of-\d+\.parquet$"}},
                   "references": {"field": {"@id": f"{split_set}/split_name"}}}]
        columns, omitted = record_set_fields(module, config, fileset)
        description = cfg.description(module, config)
        if omitted:
            description += (" Not described here (a list inside a list, which Croissant readers do not read): "
                            + ", ".join(omitted) + "; they are in the Parquet files.")
        record_sets.append({"@type": "cr:RecordSet", "@id": config, "name": config,
                            "description": description, "field": fields + columns})
    doc = {
        "@context": _CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"],
        "name": PRETTY_NAME,
        "description": module._DESCRIPTION.strip().replace("\n", " "),
        "license": [
            {"@type": "sc:CreativeWork", "name": f"{ANNOTATION_LICENSE} (the annotations)",
             "url": "https://creativecommons.org/licenses/by/4.0/"},
            {"@type": "sc:CreativeWork", "name": "third-party copyright (the texts): any reuse needs the "
                                                 "rights holders' permission", "url": "LICENSE.md"},
        ],
        "url": "README.md",
        "version": __version__,
        "datePublished": RELEASE_DATE,
        "inLanguage": "fr",
        "keywords": ["news", "French", "named entity recognition", "event extraction", "attribution",
                     "temporal expressions", "entity linking"],
        "citeAs": cite_as(__version__, RELEASE_DATE),
        **RAI,
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
