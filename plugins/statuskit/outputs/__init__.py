"""The outputs statuskit writes itself, not through MkDocs: feeds, the Statuspage-shaped JSON API,
the maintenance calendar, badges and the announcements for every channel.

May import: `statuskit.core`, `statuskit.views` (page addresses, formatting, markup), feedgen,
icalendar, Jinja2. Never MkDocs, click, the adapter or the CLI.
"""
