"""The account lifecycle's extension point.

`accounts` knows nothing of the apps built on it, yet exporting a reader's data and deleting an
account must cover what those apps store (comments, votes, reports). Each such app registers a
`PersonalData` in its `AppConfig.ready()`; the export and deletion views call every registered one.
"""

from dataclasses import dataclass
from typing import Any, Protocol


class Exporter(Protocol):
    def __call__(self, user) -> Any: ...


class Eraser(Protocol):
    def __call__(self, user, *, keep_contributions: bool) -> None: ...


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Exporter
    erase: Eraser


_registry: dict[str, PersonalData] = {}


def register(personal_data: PersonalData):
    _registry[personal_data.name] = personal_data


def registered():
    return list(_registry.values())
