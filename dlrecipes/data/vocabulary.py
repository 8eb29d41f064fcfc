"""A token vocabulary (characters for language models, words for captions): ids ↔ tokens."""

import collections
import dataclasses
import json
import pathlib

import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_int


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """Token `i` is `tokens[i]`; tokens not in it encode to the id of `unknown`."""

    tokens: tuple
    unknown: str

    def __post_init__(self):
        if len(set(self.tokens)) != len(self.tokens) or self.unknown not in self.tokens:
            raise ConfigError(
                "tokens must be distinct and include the unknown token. "
                f"Received: unknown={self.unknown!r}, {len(self.tokens)} tokens"
            )
        object.__setattr__(self, "_ids", {token: i for i, token in enumerate(self.tokens)})

    @classmethod
    def from_tokens(cls, tokens, *, specials, unknown=None, min_count=1):
        """`specials` first (ids 0, 1, ...), then the tokens of the iterable `tokens` seen at
        least `min_count` times, sorted; `unknown` (default the first special) stands for the
        others."""
        check_int("min_count", min_count, minimum=1)
        counts = collections.Counter(tokens)
        kept = sorted(t for t, n in counts.items() if n >= min_count and t not in specials)
        return cls(tuple(specials) + tuple(kept), unknown=specials[0] if unknown is None else unknown)

    def save(self, path):
        """Write the vocabulary as JSON (tokens in id order, the unknown token)."""
        pathlib.Path(path).write_text(json.dumps({"tokens": list(self.tokens), "unknown": self.unknown}))

    @classmethod
    def load(cls, path):
        """The vocabulary `save` wrote to `path`."""
        saved = json.loads(pathlib.Path(path).read_text())
        return cls(tuple(saved["tokens"]), saved["unknown"])

    def __len__(self):
        return len(self.tokens)

    def id(self, token):
        """The id of `token` (the unknown token's id when it is not in the vocabulary)."""
        return self._ids.get(token, self._ids[self.unknown])

    def encode(self, tokens):
        """int32 ids of the tokens of an iterable (a string for characters)."""
        unknown = self._ids[self.unknown]
        return np.fromiter((self._ids.get(t, unknown) for t in tokens), np.int32)

    def decode(self, ids):
        """The list of tokens of `ids`."""
        return [self.tokens[int(i)] for i in ids]
