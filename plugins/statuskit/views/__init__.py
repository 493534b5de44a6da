"""The views: what each page of the site shows for one locale, as plain data for the templates,
with dates, markdown and sanitizing done for the reader.

May import: `statuskit.core`, Babel, Markdown, nh3. Never MkDocs, click, the outputs, the adapter or
the CLI, so any site generator can render them.
"""
