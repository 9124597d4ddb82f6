"""Shared fixtures: each area keeps its fixtures in its own module, imported here."""

from tests.bot_fixtures import *  # noqa: F403
from tests.emulator_fixtures import *  # noqa: F403
from tests.inmemory import *  # noqa: F403
from tests.storage_fixtures import *  # noqa: F403
