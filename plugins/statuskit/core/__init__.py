"""The core: the incident model, reading and validating incident files, checks, derived status and
the site's settings. Everything a status site knows, whatever publishes it.

May import: the standard library and data libraries (PyYAML, jsonschema and fastjsonschema,
Babel, zoneinfo). Never MkDocs, Material or click, and nothing else of statuskit: every other
layer builds on this one.
"""
