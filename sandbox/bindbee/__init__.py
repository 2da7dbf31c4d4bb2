"""A local emulator of Bindbee's ATS API, as Bindbee documents it (../shared/vendor/bindbee, reference §1), with
Greenhouse Harvest behind its passthrough (reference greenhouse-harvest-applications.md).

Bearer API key and `x-connector-token` checked on every call; FastAPI-shaped 422 detail lists and `{"detail": …}`
errors; `{cursor, page_size, items}` pages; `X-RateLimit-*` headers and 429 + `Retry-After` at 200 requests per
minute per connector token; every ATS resource of the excerpt listed and read with its documented filters and
`expand`; the documented creates (jobs, candidates, activities, candidate attachments), and the creates Bindbee
documents no body for refused; Greenhouse's rules enforced for Greenhouse connectors (the gateway must catch them
first, this is the backstop).

Modules, one concern each: `resources` (the table of resources), `app` (routes), `writes` (the creates), `seed`,
`records` (consistent writes to the store), `files` (attachment bytes), `harvest*` (the Harvest emulation).
"""

from sandbox.bindbee.app import RATE_LIMIT_PER_MINUTE, BindbeeSandbox, create_app

__all__ = ["RATE_LIMIT_PER_MINUTE", "BindbeeSandbox", "create_app"]
