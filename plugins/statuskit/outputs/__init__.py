"""The outputs statuskit writes itself, not through MkDocs: feeds, the Statuspage-shaped JSON API,
the maintenance calendar, badges, the announcements for every channel and the notifications
`statuskit notify` sends (what to send to which channel; the sending is the CLI's).

May import: `statuskit.core`, `statuskit.views` (page addresses, formatting, markup), feedgen,
icalendar, Jinja2. Never MkDocs, click, the adapter or the CLI.
"""
