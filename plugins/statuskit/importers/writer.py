"""Imported history written as incident files: mapped onto the site's ids, idempotent, checked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from slugify import slugify

from ..core import yamlsource
from ..core.documents import ID, read_text, split_front_matter
from ..core.editing import _item_end, incident_path
from ..core.loader import find_files, incident_schema
from ..core.model import Text
from ..core.postmortems import postmortem_stem
from ..core.problems import Problem
from ..core.settings import Settings
from ..core.site import validate
from ..core.status import IMPACT_RANK, worst
from .records import Source, SourceComponent, SourceFile, SourceIncident, instant

# How to bring what a source cut off; printed once, under the files that were cut.
PARTIAL_ADVICE = (
    "To bring the older history, pass saved copies from before (history feeds or api/v2 "
    "folders, e.g. from a scheduled job or the Wayback Machine) in one call, oldest first: "
    "statuskit import statuspage OLDEST ... NEWEST"
)

# Keys an import owns and rewrites; any other key an author added (responsible, internal,
# scope, ...) is kept when the import runs again.
OWNED = (
    "id",
    "title",
    "kind",
    "severity",
    "components",
    "started_at",
    "resolved_at",
    "scheduled_for",
    "scheduled_until",
    "updates",
)
_ID_LINE = re.compile(r"^id:\s*['\"]?([A-Za-z0-9][A-Za-z0-9_-]*)", re.MULTILINE)
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Dumper(yaml.SafeDumper):
    """Block style for people: times unquoted, several lines as a `|` block, no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        """Repeated values are written out: anchors confuse people editing the file."""
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Items of a list indented under their key, as the project's own files are written."""
        super().increase_indent(flow, False)


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    """Times plain, several lines as a block, anything else as YAML needs it."""
    if "\n" in value:
        return dumper.represent_scalar(_STR, value, style="|")
    if dumper.resolve(yaml.ScalarNode, value, (True, False)) == _TIMESTAMP:  # type: ignore[no-untyped-call]
        # statuskit reads times as text; plain, they look as in every hand-written file.
        return dumper.represent_scalar(_TIMESTAMP, value)
    return dumper.represent_scalar(_STR, value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """YAML as a person would write it: block style, unicode as is, in the given key order."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )
    return text


# Components -------------------------------------------------------------------------------


@dataclass
class ComponentMap:
    """Which site id each source component and group is, and why the others have none."""

    components: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    missing_groups: dict[str, str] = field(default_factory=dict)


def _names(text: Text) -> set[str]:
    """Every locale's name, ignoring case, so a name matches in any language."""
    return {v.strip().casefold() for v in text.values.values()}


def map_components(source: Source, settings: Settings) -> ComponentMap:
    """Match by id, then by name ignoring case (a group's name decides between namesakes)."""
    result = ComponentMap()
    for group in source.groups:
        if any(g.id == group.key for g in settings.groups):
            result.groups[group.key] = group.key
            continue
        title = group.name.strip().casefold()
        groups = [g.id for g in settings.groups if title in _names(g.name)]
        if len(groups) == 1:
            result.groups[group.key] = groups[0]
        else:
            result.missing_groups[group.key] = _why(group.key, group.name, len(groups), "group")
    for component in source.components:
        if settings.component(component.key) is not None:
            result.components[component.key] = component.key
            continue
        wanted = {n.strip().casefold() for n in (component.name, *component.aliases)}
        named = [c for c in settings.components if wanted & _names(c.name)]
        if len(named) > 1 and component.group:
            site_group = result.groups.get(component.group)
            named = [c for c in named if c.group == site_group]
        if len(named) == 1:
            result.components[component.key] = named[0].id
        else:
            result.missing[component.key] = _why(
                component.key, component.name, len(named), "component"
            )
    return result


def _why(key: str, name: str, count: int, what: str) -> str:
    """Why a component or group was not mapped, and what would map it."""
    if count:
        return (
            f"{count} {what}s of mkdocs.yml are named {name!r}; give the right one the id {key!r}"
        )
    return f"no {what} of mkdocs.yml has the id {key!r} or the name {name!r}"


def propose(
    source: Source, settings: Settings, mapping: ComponentMap, keep_ids: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`groups:` and `components:` entries for mkdocs.yml declaring what is not mapped yet."""
    taken = {c.id for c in settings.components} | {g.id for g in settings.groups}
    members = [c for c in source.components if c.key in mapping.missing]
    new_groups: dict[str, str] = {}
    groups: list[dict[str, Any]] = []
    for group in source.groups:
        needed = any(c.group == group.key for c in members)
        if group.key in mapping.groups or not needed:
            continue
        new_groups[group.key] = _new_id(group.key, group.name, taken, keep_ids, None)
        groups.append(_entry(new_groups[group.key], group.name, group.description))
    components: list[dict[str, Any]] = []
    for component in members:
        group_id = None
        if component.group:
            group_id = mapping.groups.get(component.group) or new_groups.get(component.group)
        cid = _new_id(component.key, component.name, taken, keep_ids, group_id)
        entry = _entry(cid, component.name, component.description)
        if group_id:
            entry["group"] = group_id
        if component.showcase is False:
            entry["showcase"] = False
        if component.only_show_if_degraded:
            entry["only_show_if_degraded"] = True
        if component.start_date:
            entry["start_date"] = component.start_date
        components.append(entry)
    return groups, components


def _entry(item_id: str, name: str, description: str | None) -> dict[str, Any]:
    """A `groups:` or `components:` entry with the fields mkdocs.yml needs."""
    entry: dict[str, Any] = {"id": item_id, "name": name}
    if description:
        entry["description"] = description
    return entry


def _new_id(key: str, name: str, taken: set[str], keep: bool, prefix: str | None) -> str:
    """The source's own id when kept (API clients may use it), else a readable slug."""
    base = key if keep and ID.fullmatch(key) else slugify(name, max_length=60)
    base = base or slugify(key, max_length=60) or "component"
    candidates = [base, *([f"{prefix}-{base}"] if prefix else [])]
    candidates += [f"{base}-{n}" for n in range(2, 1000)]
    chosen = next(c for c in candidates if c not in taken)
    taken.add(chosen)
    return chosen


def snippet(groups: list[dict[str, Any]], components: list[dict[str, Any]]) -> str:
    """The entries as YAML to paste under the statuskit plugin's options."""
    data: dict[str, Any] = {}
    if groups:
        data["groups"] = groups
    if components:
        data["components"] = components
    return dump_yaml(data) if data else ""


def merge_into_config(
    config_file: Path, groups: list[dict[str, Any]], components: list[dict[str, Any]]
) -> str | None:
    """Append entries to the plugin's `groups:`/`components:` lists, changing no other byte.

    Returns why it could not, leaving the file as it was, or None once written.
    """
    text = config_file.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return f"{config_file} could not be read as YAML ({exc})"
    options = _plugin_options(root)
    if options is None:
        return f"{config_file} has no `- statuskit:` plugin entry with options in block style"
    inserts: list[tuple[int, int, list[str]]] = []
    key_indent = " " * options.value[0][0].start_mark.column
    for order, (key, entries) in enumerate((("groups", groups), ("components", components))):
        if not entries:
            continue
        node = next((v for k, v in options.value if k.value == key), None)
        if node is None:
            at = _item_end(options.value[-1][1], 0, lines)
            block = [f"{key_indent}{key}:\n", *_items(entries, key_indent + "  ")]
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            first = lines[node.value[0].start_mark.line]
            at = _item_end(node.value[-1], 0, lines)
            block = _items(entries, first[: first.index("-")])
        else:
            return f"`{key}:` in {config_file} is not a block list; paste the snippet by hand"
        inserts.append((at, order, block))
    for at, _, block in sorted(inserts, reverse=True):
        if at > 0 and not lines[at - 1].endswith("\n"):
            lines[at - 1] += "\n"
        lines[at:at] = block
    config_file.write_text("".join(lines), encoding="utf-8")
    return None


def _plugin_options(root: yaml.Node | None) -> yaml.MappingNode | None:
    """The block mapping of the statuskit plugin's options in mkdocs.yml."""
    if not isinstance(root, yaml.MappingNode):
        return None
    plugins = next((v for k, v in root.value if k.value == "plugins"), None)
    if isinstance(plugins, yaml.SequenceNode):
        pairs = [
            p for item in plugins.value if isinstance(item, yaml.MappingNode) for p in item.value
        ]
    elif isinstance(plugins, yaml.MappingNode):
        pairs = plugins.value
    else:
        return None
    options = next((v for k, v in pairs if k.value == "statuskit"), None)
    if isinstance(options, yaml.MappingNode) and not options.flow_style and options.value:
        return options
    return None


def _items(entries: list[dict[str, Any]], dash: str) -> list[str]:
    """List items as YAML lines indented to sit under an existing `- ` column."""
    return [f"{dash}{line}\n" for line in dump_yaml(entries).splitlines()]


# Links ------------------------------------------------------------------------------------

# Code spans and fenced blocks: their text is shown as typed, links in them are not rewritten.
_CODE = re.compile(r"(^```.*?^```[ \t]*$|`[^`\n]*`)", re.MULTILINE | re.DOTALL)
_OLD_INCIDENT = re.compile(
    r"https?://(?P<host>[^/\s<>\"'()\[\]]+)(?P<prefix>/[^\s<>\"'()\[\]]*?)?"
    r"/(?P<kind>incidents|issues)/(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{0,127})/?(?![\w/-])"
)


@dataclass(frozen=True)
class Links:
    """Addresses of the old page's incidents, and where each of them lives on the new site."""

    hosts: frozenset[str]
    kind: str
    targets: dict[str, str]

    def carry(self, text: str) -> str:
        """Old incident links point at the new pages (bare ones are linked when shown)."""
        parts = _CODE.split(text)
        for index in range(0, len(parts), 2):
            parts[index] = _OLD_INCIDENT.sub(self._new, parts[index])
        return "".join(parts)

    def _new(self, match: re.Match[str]) -> str:
        """The new address of an old incident link, or the link as it was when unknown."""
        host = match["host"].lower().removeprefix("www.")
        target = self.targets.get(match["id"])
        # A Statuspage page also answers at <page>.statuspage.io, whatever its own domain.
        known = host in self.hosts or host.endswith(".statuspage.io") or not self.hosts
        if target is None or match["kind"] != self.kind or not known:
            return match[0]
        return target


def links_for(source: Source, settings: Settings, ids: Iterable[str]) -> Links:
    """The rewriting rules of one import: the old page's hosts and the new incident pages."""
    base = settings.targets.current.site_url if settings.targets else ""
    base = base if base.endswith("/") else f"{base}/"
    hosts = {(urlsplit(u).hostname or "").lower().removeprefix("www.") for u in source.page_urls}
    suffix = "/" if settings.directory_urls else ".html"
    return Links(
        frozenset(h for h in hosts if h),
        source.incident_path,
        {i: f"{base}incidents/{i}{suffix}" for i in ids},
    )


# Incident files ---------------------------------------------------------------------------


@dataclass
class Written:
    """One incident file and what the import did to it and to its updates."""

    id: str
    kind: str
    path: Path
    action: str
    updates: int
    updates_read: int = 0
    made: int = 0
    added: int = 0
    changed: int = 0
    same: int = 0
    kept: int = 0


@dataclass
class ImportReport:
    """What an import did, and everything it could not carry, with the reason."""

    origin: str
    written: list[Written] = field(default_factory=list)
    mapping: ComponentMap = field(default_factory=ComponentMap)
    source_components: list[SourceComponent] = field(default_factory=list)
    group_names: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    snippet: str = ""
    config_merge: str = ""
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    files: list[SourceFile] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that make a written file fail validation."""
        return [p for p in self.problems if p.is_error]

    def lines(self, by_design: str) -> list[str]:
        """The report as printed at the end of an import."""
        written = self.written
        count = {
            a: sum(w.action == a for w in written) for a in ("created", "updated", "unchanged")
        }
        incidents = sum(w.kind == "incident" for w in written)
        verb = "would be " if self.dry_run else ""
        count_made = sum(w.made for w in written)
        made = f" ({count_made} of them added by the import, below)" if count_made else ""
        out = [f"Imported from {self.origin}:"]
        for read in self.files:
            skipped = [
                f"{n} {what} skipped (below)"
                for n, what in (
                    (read.skipped_incidents, "incident(s)"),
                    (read.skipped_updates, "update(s)"),
                )
                if n
            ]
            out.append(
                f"  read {read.name}: {read.incidents} incident(s) or maintenance(s), "
                f"{read.updates} update(s)" + (f"; {', '.join(skipped)}" if skipped else "")
            )
        out += [
            f"  {incidents} incident(s) and {len(written) - incidents} maintenance(s), "
            f"{sum(w.updates_read for w in written)} update(s) read: incident files "
            f"{verb}{count['created']} created, {count['updated']} updated, "
            f"{count['unchanged']} unchanged",
            f"  updates: {verb}{sum(w.added for w in written)} written{made}, "
            f"{sum(w.changed for w in written)} updated, {sum(w.same for w in written)} unchanged, "
            f"{sum(w.kept for w in written)} kept (added to the files after an import)",
            f"  components: {len(self.mapping.components)} of {len(self.source_components)} "
            f"mapped to mkdocs.yml; groups: {len(self.mapping.groups)} of "
            f"{len(self.mapping.groups) + len(self.mapping.missing_groups)}",
        ]
        names = {c.key: c.name for c in self.source_components}
        unmapped = [
            f"  - component {names.get(k, k)!r} ({k}): {why}"
            + (f"; left out of {len(self.left_out[k])} file(s)" if self.left_out.get(k) else "")
            for k, why in self.mapping.missing.items()
        ]
        unmapped += [
            f"  - group {self.group_names.get(k, k)!r} ({k}): {why}"
            for k, why in self.mapping.missing_groups.items()
        ]
        partial = [read for read in self.files if read.partial]
        if partial:
            out += [
                "Only part of the history:",
                *(f"  - {read.name}: {read.partial}" for read in partial),
                f"  {PARTIAL_ADVICE}",
            ]
        if unmapped:
            out += ["Not mapped:", *unmapped]
        if self.notes:
            out += ["Not carried as is:", *(f"  - {n}" for n in self.notes)]
        out.append(f"Not carried by design: {by_design} (docs/migrating.md).")
        if self.snippet:
            out += [
                "Declare the unmapped components under `plugins: - statuskit:` in mkdocs.yml "
                "(or pass --write-components), then import again to link them:",
                *(f"    {line}" for line in self.snippet.splitlines()),
            ]
        if self.config_merge:
            out.append(self.config_merge)
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        else:
            warnings = len(self.problems) - len(self.errors)
            out.append(
                f"Validation of the imported files: {len(self.errors)} error(s), "
                f"{warnings} warning(s) (`statuskit validate` lists the warnings)."
            )
            out += [f"  {p}" for p in self.errors]
        return out


def _read(path: Path) -> tuple[str, str] | None:
    """A file's YAML and markdown body (empty for .yml), or None when it has no front matter."""
    text = read_text(path, [])
    if text is None:
        return None
    if path.suffix != ".md":
        return text, ""
    parts = split_front_matter(text)
    return (parts[0], parts[1]) if parts else None


def _data(source: str) -> dict[str, Any] | None:
    """Front matter as data, or None when it is not a readable map."""
    try:
        data = yamlsource.load(source).data
    except yamlsource.YamlError:
        return None
    return data if isinstance(data, dict) else None


def existing_ids(incidents_dir: Path) -> dict[str, Path]:
    """Incident files by id, read leniently: a file the loader rejects still keeps its id."""
    found: dict[str, Path] = {}
    for path in find_files(incidents_dir):
        read = _read(path) if postmortem_stem(path) is None else None
        if read is None:
            continue
        data = _data(read[0])
        if data is not None:
            value = data.get("id")
        else:
            match = _ID_LINE.search(read[0])
            value = match[1] if match else None
        found.setdefault(str(value or path.stem), path)
    return found


def _existing(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter and body of a file about to be rewritten (empty when unreadable)."""
    read = _read(path)
    if read is None:
        return {}, ""
    data = _data(read[0]) or {}
    body = data["body"] if path.suffix != ".md" and isinstance(data.get("body"), str) else read[1]
    return data, body


def severity_for(impact: str, settings: Settings, notes: list[str]) -> str:
    """The site's severity for a Statuspage impact; the nearest (higher on a tie) otherwise."""
    exact = next((s.id for s in settings.severities if s.impact == impact), None)
    if exact is not None:
        return exact
    rank = IMPACT_RANK.get(impact, 0)
    nearest = min(
        settings.severities,
        key=lambda s: (abs(IMPACT_RANK.get(s.impact, 0) - rank), -IMPACT_RANK.get(s.impact, 0)),
    )
    notes.append(f"no severity of the site has the impact {impact!r}; set to {nearest.id!r}")
    return nearest.id


class _Mapper:
    """Source component keys to site ids for one incident, remembering what had to be left out."""

    def __init__(self, mapping: ComponentMap, incident: str, left_out: dict[str, list[str]]):
        """Remembers which incident is mapped, to say where a component was left out."""
        self.mapping = mapping
        self.incident = incident
        self.left_out = left_out

    def __call__(self, impacts: dict[str, str]) -> dict[str, str]:
        """Impacts keyed by site ids; two old components on one id keep the worst."""
        result: dict[str, str] = {}
        for key, impact in impacts.items():
            site_id = self.mapping.components.get(key)
            if site_id is None:
                users = self.left_out.setdefault(key, [])
                if self.incident not in users:
                    users.append(self.incident)
                continue
            result[site_id] = worst([result[site_id], impact]) if site_id in result else impact
        return result


def front_matter(
    incident: SourceIncident,
    settings: Settings,
    mapping: ComponentMap,
    left_out: dict[str, list[str]],
) -> dict[str, Any]:
    """The owned keys of one incident file, in the order of the README's example."""
    mapped = _Mapper(mapping, incident.id, left_out)
    data: dict[str, Any] = {"id": incident.id, "title": incident.title, "kind": incident.kind}
    updates: list[dict[str, Any]] = []
    closing = "completed" if incident.kind == "maintenance" else "resolved"
    previous = None
    for update in incident.updates:
        item: dict[str, Any] = {"at": update.at, "status": update.status, "body": update.body}
        if previous == closing and update.status != closing:
            # The old page let it reopen; statuskit keeps that only when the update says so.
            item["reopened"] = True
        updates.append(item)
        previous = update.status
    if incident.kind == "maintenance":
        data["components"] = _maintenance_impacts(incident, mapped)
    else:
        data["severity"] = severity_for(incident.impact, settings, incident.notes)
        start = mapped(incident.components)
        current = dict(start)
        changes: list[dict[str, str]] = []
        for index, update in enumerate(incident.updates):
            reported = mapped(update.components)
            changed = {c: i for c, i in reported.items() if current.get(c) != i}
            current.update(reported)
            if index == 0:
                start.update(changed)
                changed = {}
            changes.append(changed)
        # An `operational` start only links a component no update gives an impact.
        later = {c for changed in changes for c, i in changed.items() if i != "operational"}
        data["components"] = {
            c: i for c, i in start.items() if i != "operational" or c not in later
        }
        for item, changed in zip(updates, changes, strict=True):
            if changed:
                item["components"] = changed
    if not data["components"]:
        del data["components"]
    for key in ("started_at", "resolved_at", "scheduled_for", "scheduled_until"):
        value = getattr(incident, key)
        if value:
            data[key] = value
    data["updates"] = updates
    return data


def _maintenance_impacts(incident: SourceIncident, mapped: _Mapper) -> dict[str, str]:
    """A maintenance has one impact per component for its window (statuskit's model)."""
    seen: dict[str, list[str]] = {}
    for impacts in (incident.components, *(u.components for u in incident.updates)):
        for component, impact in mapped(impacts).items():
            seen.setdefault(component, [])
            if impact != "operational" and impact not in seen[component]:
                seen[component].append(impact)
    if any(len(v) > 1 for v in seen.values()):
        incident.notes.append(
            "its components changed impact during the window; statuskit keeps one impact per "
            "component for the whole window (the first given)"
        )
    return {c: (v[0] if v else "under_maintenance") for c, v in seen.items()}


def render(data: dict[str, Any], body: str, suffix: str) -> str:
    """The file's text: YAML front matter and a markdown body, or one YAML document."""
    ordered = {k: data[k] for k in incident_schema()["properties"] if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    body = body.strip()
    if suffix == ".md":
        ordered.pop("body", None)
        text = f"---\n{dump_yaml(ordered)}---\n"
        return f"{text}{body}\n" if body else text
    if body:
        ordered["body"] = f"{body}\n"
    return dump_yaml(ordered)


def _merge(
    imported: dict[str, Any], body: str, existing: dict[str, Any], existing_body: str
) -> tuple[dict[str, Any], str, int]:
    """Owned keys from the import; an author's other keys, summary and later updates kept."""
    data = dict(imported)
    for key, value in existing.items():
        if key not in OWNED and key != "body":
            data[key] = value
    updates: list[dict[str, Any]] = data["updates"]
    ats = {str(u["at"]) for u in updates}
    last = instant(str(updates[-1]["at"]))
    added = [
        u
        for u in existing.get("updates") or []
        if isinstance(u, dict) and str(u.get("at")) not in ats and instant(str(u.get("at"))) > last
    ]
    data["updates"] = [*updates, *added]
    return data, body or existing_body, len(added)


def write_source(
    source: Source, settings: Settings, mapping: ComponentMap, *, dry_run: bool = False
) -> ImportReport:
    """One file per incident under incidents/YYYY/, the same file again on a second import."""
    report = ImportReport(source.origin, mapping=mapping, dry_run=dry_run)
    report.source_components = list(source.components)
    report.group_names = {g.key: g.name for g in source.groups}
    report.notes += source.notes
    if source.page_id:
        report.notes.append(
            f"the page id {source.page_id!r} is kept in the JSON API only with "
            f"`page_id: {source.page_id}` in the statuskit options"
        )
    report.files = list(source.files)
    index = existing_ids(settings.incidents_dir)
    links = links_for(source, settings, [*index, *(i.id for i in source.incidents)])
    taken = set(index.values())
    for incident in source.incidents:
        for update in incident.updates:
            update.body = links.carry(update.body)
        incident.body = links.carry(incident.body)
        data = front_matter(incident, settings, mapping, report.left_out)
        path = index.get(incident.id) or _new_path(incident, settings, taken)
        taken.add(path)
        body = incident.body
        action = "created"
        old_text = None
        old_updates: list[Any] = []
        kept = 0
        if path.exists():
            old_text = path.read_text("utf-8")
            existing, existing_body = _existing(path)
            old_updates = list(existing.get("updates") or [])
            data, body, kept = _merge(data, body, existing, existing_body)
            if kept:
                incident.notes.append(
                    f"kept {kept} update(s) added to {path.name} after the import"
                )
        text = render(data, body, path.suffix)
        if old_text is not None:
            action = "unchanged" if old_text == text else "updated"
        if not dry_run and action != "unchanged":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written = Written(incident.id, incident.kind, path, action, len(data["updates"]))
        written.updates_read = incident.updates_read
        written.kept = kept
        _count_updates(written, old_updates, data["updates"][: len(data["updates"]) - kept])
        # Of the updates written now, those the import made (an opening or closing one).
        written.made = min(written.added, sum(u.added for u in incident.updates))
        report.written.append(written)
        report.notes += [f"{incident.id}: {note}" for note in incident.notes]
    if not dry_run:
        report.problems = check_written(settings, [w.path for w in report.written])
    return report


def _count_updates(written: Written, old: list[Any], new: list[dict[str, Any]]) -> None:
    """Updates written, changed or unchanged, matched by time and place among that time's."""

    def keyed(items: list[Any]) -> dict[tuple[str, int], Any]:
        seen: Counter[str] = Counter()
        result: dict[tuple[str, int], Any] = {}
        for item in items:
            at = str(item.get("at")) if isinstance(item, dict) else ""
            result[(at, seen[at])] = item
            seen[at] += 1
        return result

    before, after = keyed(old), keyed(new)
    for key, item in after.items():
        if key not in before:
            written.added += 1
        elif before[key] == item:
            written.same += 1
        else:
            written.changed += 1


def _new_path(incident: SourceIncident, settings: Settings, taken: set[Path]) -> Path:
    """`incidents/YYYY/YYYY-MM-DD-slug.md` by its start (its window for maintenance).

    A name already used, on disk or earlier in this import, gets the incident's id: two
    incidents of the same title on the same day (or titles whose slugs agree) never share one.
    """
    when = instant(incident.scheduled_for or incident.started_at or incident.updates[0].at)
    path = incident_path(settings.incidents_dir, when, incident.title, None)
    if path not in taken and not path.exists():
        return path
    tag = slugify(incident.id, max_length=40) or "incident"
    stem = path.stem[11:]
    stem = stem[: max(1, 60 - len(tag) - 1)].rstrip("-")
    for number in range(1, 1000):
        name = f"{stem}-{tag}" if number == 1 else f"{stem}-{tag}-{number}"
        candidate = path.with_name(f"{path.stem[:11]}{name}.md")
        if candidate not in taken and not candidate.exists():
            return candidate
    raise ValueError(f"no free file name for incident {incident.id} in {path.parent}")


def check_written(settings: Settings, paths: Iterable[Path]) -> list[Problem]:
    """Every problem the project's own validation finds in the files just written."""
    wanted = {p.resolve() for p in paths}
    _, problems = validate(settings)
    return [p for p in problems if Path(p.path).resolve() in wanted]
