"""Open the database a command or the server works on, brought to the current schema.

Apart from the app so that a CLI command (`phonesvc calls`, `phonesvc users`) opens the database without
importing the web stack: Starlette, Pillow and the surfaces are a third of such a command's run time."""

from __future__ import annotations

from phonesvc.config import Settings
from phonesvc.store.db import MissingDatabase, Store, database_exists, shown_url


def prepare(settings: Settings, create: bool = True) -> Store:
    """Bring the database to the current schema. With `create` (the server, `phonesvc init`), first create
    the data folders and a database that is missing; without, a missing database raises MissingDatabase,
    so a command run in the wrong folder never fills a new, empty database that the server does not see."""
    url = settings.effective_database_url
    if create:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        for kind in ("mp3", "PCM"):
            settings.audio_dir(settings.ma_instance, kind).mkdir(parents=True, exist_ok=True)
        settings.audio_dir(settings.diversions_instance, "PCM").mkdir(parents=True, exist_ok=True)  # Call Handler
    elif not database_exists(url):
        raise MissingDatabase(shown_url(url))
    store = Store(url)
    store.migrate()
    return store
