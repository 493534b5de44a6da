"""The MkDocs life cycle of statuskit: a thin adapter that hands every decision to the core."""

from __future__ import annotations

import html
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..core.i18n import page_translations
from ..core.problems import ValidationFailed
from ..core.site import Site
from ..views.memo import ViewMemo
from ..views.pages import FeedLink, PageSpec, SitePlan
from ..views.plan import plan_site
from ..views.sanitize import sanitize_html
from . import theme
from .cache import (
    IncrementalBuild,
    cache_dir,
    load_site_cached,
    target_folder,
    template_cache,
    view_memo,
)
from .collection import CollectorPause
from .config import StatuskitConfig
from .memory import give_back_freed
from .options import SettingsError, build_settings
from .outputcache import write_outputs
from .pagefind import PagefindService, search_service
from .processes import Beside
from .reporting import log_problems
from .search import SearchIndexer, plan_bundles, render_order

log = get_plugin_logger(__name__)

CSS_URI = "assets/statuskit/statuskit.css"
# libyaml's writer where PyYAML has it: five times faster for a front matter on every page.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class StatuskitPlugin(BasePlugin[StatuskitConfig]):
    """Generates the status pages from incident files as virtual files."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.collector = CollectorPause()
        self._reset()

    def _reset(self) -> None:
        self.site: Site | None = None
        self.plan: SitePlan | None = None
        self.pages: dict[str, PageSpec] = {}
        self.incremental: IncrementalBuild | None = None
        self.memo: ViewMemo | None = None
        self.indexer: SearchIndexer | None = None
        self.pagefind: PagefindService | None = None
        self.outputs: Beside[str] | None = None
        self._unwritten: list[str] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._reset()
        if not self.config.enabled:
            return None
        try:
            self.settings = build_settings(self.config, config)
        except SettingsError as exc:
            raise PluginError(str(exc)) from None
        targets = self.settings.targets
        if targets is not None and targets.mode != "single":
            target = targets.current
            config.site_url = target.site_url
            config.site_dir = os.path.join(config.site_dir, target.folder)
            config.theme["language"] = target.locale
            log.info(f"building {targets.mode} target {target.id!r} ({target.site_url})")
        locale = self.settings.build_locale
        config.site_name = self.config.site_name.get(locale, config.site_name)
        if locale in self.config.site_description:
            config.site_description = self.config.site_description[locale]
        templates = theme.TEMPLATES
        if templates not in config.theme.dirs:
            # After the site's custom_dir, before Material: our main.html adds hreflang and
            # feed links to every page and a site's own overrides still win.
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, templates)
        if not config.site_url:
            log.warning(
                "statuskit: set `site_url` in mkdocs.yml; feeds, the calendar and the API "
                "need the site's absolute address"
            )
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        return config

    @event_priority(100)
    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Validate before MkDocs cleans the site folder, so a bad file leaves the old site."""
        if not self.config.enabled:
            return
        self.collector.pause()
        try:
            self.site = load_site_cached(self.settings, self._cache_dir(config))
        except ValidationFailed as exc:
            log_problems(exc.problems)
            raise PluginError(str(exc)) from None
        blocking = log_problems(self.site.warnings)
        if config.strict and blocking:
            # MkDocs would count these only after writing the site; refuse before it is touched.
            lines = "\n".join(str(p) for p in blocking)
            raise PluginError(f"{len(blocking)} warning(s) in strict mode:\n{lines}")
        self.pagefind = search_service(self._target(), str(config.theme["language"]))
        folder = self._cache_dir(config)
        if folder is not None:
            self.memo = view_memo(self.settings, folder, self._target(), config.site_url or "")
        self.plan = plan_site(self.site, memo=self.memo)
        if self.memo is not None:
            self.memo.save()
            give_back_freed()
        self.pages = {p.src_uri: p for p in self.plan.pages}

    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        try:
            return self._files(files, config)
        finally:
            # Pages placed, outputs planned: what exists now lives for the build.
            self.collector.freeze()

    def _files(self, files: Files, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.plan is None:
            return None
        self._translate_own_pages(files, config)
        self.incremental = self._incremental(files, config)
        for spec in render_order(self.plan):
            if files.get_file_from_path(spec.src_uri) is not None:
                raise PluginError(
                    f"statuskit: {config.docs_dir}/{spec.src_uri} would be replaced by the "
                    "generated status page; rename or remove it"
                )
            if self.incremental and self.incremental.reuse(spec):
                spec.view, spec.kept = {}, None  # placed as cached: its view is not needed
                continue
            spec.restore()
            files.append(
                File.generated(
                    config,
                    spec.src_uri,
                    content=_markdown(spec),
                    inclusion=InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV,
                )
            )
        assert self.site is not None
        # The per-incident feeds go straight into the site folder (from another process, while
        # MkDocs renders); the rest through MkDocs.
        outputs, self.outputs = write_outputs(
            self.site, config, files, self.config.page_id, self._cache_dir(config)
        )
        for path, content in outputs.items():
            files.append(File.generated(config, path, content=content))
        targets = self.settings.targets
        if targets and targets.mode == "mirrors" and targets.current.domain:
            files.append(File.generated(config, "CNAME", content=targets.current.domain + "\n"))
        css = resources.files("statuskit").joinpath("assets/statuskit.css").read_text("utf-8")
        files.append(File.generated(config, CSS_URI, content=css))
        self._start_search(config)
        return files

    def _start_search(self, config: MkDocsConfig) -> None:
        """Search bundles are indexed as their pages are written, beside the rendering."""
        assert self.plan is not None
        bundles = plan_bundles(self.plan, config.docs_dir, config.use_directory_urls)
        known = self.incremental.written if self.incremental else None
        self.indexer = SearchIndexer(
            config.site_dir, bundles, self._search_cache(config), known, self.pagefind
        )
        self.pagefind = None  # the indexer's now
        self.indexer.written(list(known or ()))  # the pages placed from the cache

    def _cache_dir(self, config: MkDocsConfig) -> Path | None:
        return cache_dir(self.config, config)

    def _search_cache(self, config: MkDocsConfig) -> Path | None:
        """Search bundles are kept beside the target's pages; None with `cache: false`."""
        folder, targets = self._cache_dir(config), self.settings.targets
        target = f"{targets.mode}:{targets.current.id}" if targets else None
        return target_folder(folder, target, config.site_url or "") / "search" if folder else None

    def _target(self) -> str | None:
        targets = self.settings.targets
        return f"{targets.mode}:{targets.current.id}" if targets else None

    def _incremental(self, files: Files, config: MkDocsConfig) -> IncrementalBuild | None:
        """Pages unchanged since the last build are reused from the cache, not rendered."""
        folder = self._cache_dir(config)
        if folder is None or self.plan is None:
            return None
        digests = self.memo.digests if self.memo else {}
        build = IncrementalBuild.start(
            config, self.settings, self.plan.pages, folder, self._target(), digests
        )
        if build is not None:
            build.note_pages(files)
        return build

    def on_template_context(
        self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig
    ) -> TemplateContext | None:
        """The sitemap lists reused pages too, in their place, or is its earlier text."""
        if self.incremental and template_name == "sitemap.xml":
            self.incremental.sitemap(context)  # type: ignore[arg-type]
        return context

    @event_priority(100)  # the template's own text, before any plugin changes it
    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        if self.incremental and template_name == "sitemap.xml":
            self.incremental.sitemap_rendered(output_content)
        return output_content

    @event_priority(-100)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Last of all plugins: cache the page exactly as MkDocs writes it."""
        if self.incremental:
            self.incremental.rendered(page, output)
        if self.indexer is not None:
            # MkDocs writes a page right after this event: the one before is on disk now.
            self.indexer.written(self._unwritten)
            self._unwritten = [page.file.dest_uri]
        spec = self.pages.get(page.file.src_uri)
        if spec is not None:
            # Rendered: its view is not needed again (memory of a long history's build).
            spec.view = {}
        return output

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        """Helpers every template may use, the site's own pages included."""
        if self.plan is None:
            return None
        plan, targets = self.plan, self.settings.targets
        env.globals["t"] = plan.catalog
        env.globals["formatter"] = plan.formatter
        env.globals["sk_alternates"] = targets.alternates if targets else (lambda url: [])
        env.globals["sk_feeds"] = self._feeds
        env.globals["sk_subscribe"] = self.settings.subscribe
        theme.install(env)
        folder = self._cache_dir(config)
        if folder is not None and env.bytecode_cache is None:
            env.bytecode_cache = template_cache(env, folder)
        return env

    def _feeds(self, page: Page) -> list[FeedLink]:
        spec = self.pages.get(page.file.src_uri)
        site = self.plan.site_feeds if self.plan else []
        return site + (spec.feeds if spec else [])

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Sanitize the authors' markdown of generated pages (summaries, postmortem narratives)."""
        if page.file.src_uri not in self.pages or self.config.raw_html == "allow":
            return None
        return sanitize_html(html)

    def _translate_own_pages(self, files: Files, config: MkDocsConfig) -> None:
        """The site's own pages in the build's locale, from `page.<locale>.md` beside them."""
        pages = [f.src_uri for f in files.documentation_pages()]
        replace, drop = page_translations(pages, self.settings.build_locale, self.settings.locales)
        for uri in drop:
            translation = files.get_file_from_path(uri)
            if translation is not None:
                files.remove(translation)
        for original, uri in replace.items():
            page = files.get_file_from_path(original)
            source = os.path.join(config.docs_dir, uri)
            if page is not None:
                files.remove(page)
                files.append(File.generated(config, original, abs_src_path=source))

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        spec = self.pages.get(page.file.src_uri)
        if spec is None or self.plan is None:
            return None
        context["statuskit"] = spec.view  # type: ignore[typeddict-unknown-key]
        return context

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self.settings.incidents_dir))
        return server

    def on_build_error(self, *, error: Exception) -> None:
        self.collector.release()
        if self.outputs is not None:
            self.outputs.abort()
        if self.indexer is not None:
            self.indexer.abort()
        if self.pagefind is not None:
            self.pagefind.close(at_once=True)

    @event_priority(50)  # before search plugins write their index
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.collector.release()
        if self.outputs is not None:
            log.info(self.outputs.join())
        if self.incremental:
            self.incremental.finish()
        if self.memo is not None:
            log.info(f"{self.memo.hits} closed incident(s) not planned again")
        if self.indexer is not None:
            self.indexer.finish()
        self._reset()


def _markdown(spec: PageSpec) -> str:
    """The generated page's source: front matter choosing the template, then the body.

    The title is escaped: MkDocs and Material print page titles as HTML (in `<title>`, the
    header, the navigation and the search index), and an incident title is author text.
    """
    title = html.escape(spec.title, quote=False)
    meta = yaml.dump(
        {"template": spec.template, "title": title},
        Dumper=_DUMPER,
        allow_unicode=True,
        sort_keys=False,
    )
    return f"---\n{meta}---\n\n{spec.markdown}"
