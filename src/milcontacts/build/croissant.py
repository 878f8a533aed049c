"""croissant.json: Croissant 1.1 metadata of the Parquet files."""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

from .card import ANNOTATION_LICENSE, PRETTY_NAME
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


def _croissant_field(fileset: str, field_id: str, column: str, feature: Any,
                     json_path: list[str]) -> dict[str, Any]:
    """A Croissant field for a datasets feature: structs become subFields, lists isArray."""
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
        return {"@type": "cr:Field", "@id": field_id,
                "subField": [_croissant_field(fileset, f"{field_id}/{name}", column, sub, json_path + [name])
                             for name, sub in feature.items()]}
    inner = feature[0] if isinstance(feature, (list, tuple)) else getattr(feature, "feature", None)
    if inner is None:
        raise TypeError(f"no Croissant mapping for {feature!r}")
    result = _croissant_field(fileset, field_id, column, inner, json_path)
    result["isArray"] = True
    result["arrayShape"] = "-1"
    return result


def render_croissant(module: ModuleType, outputs: dict[str, list[SplitOutput]]) -> str:
    """croissant.json: Croissant 1.1, one FileSet and one RecordSet per config, plus its splits."""
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
        for column, feature in cfg.features(module, config).items():
            fields.append(_croissant_field(fileset, f"{config}/{column}", column, feature, []))
        record_sets.append({"@type": "cr:RecordSet", "@id": config, "name": config,
                            "description": cfg.description(module, config), "field": fields})
    doc = {
        "@context": _CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": PRETTY_NAME,
        "description": module._DESCRIPTION.strip().replace("\n", " "),
        "license": [
            {"@type": "sc:CreativeWork", "name": f"{ANNOTATION_LICENSE} (the annotations)",
             "url": "https://creativecommons.org/licenses/by/4.0/"},
            {"@type": "sc:CreativeWork", "name": "third-party copyright (the texts): any reuse needs the "
                                                 "rights holders' permission", "url": "LICENSE.md"},
        ],
        "url": "README.md",
        "version": module.VERSION,
        "inLanguage": "fr",
        "keywords": ["news", "French", "named entity recognition", "event extraction", "attribution",
                     "temporal expressions"],
        "citeAs": "MilContacts-FR (see README.md)",
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
