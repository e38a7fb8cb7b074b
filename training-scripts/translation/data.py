"""Reading translation pairs from a channel: JSON Lines, one ``{"translation": {"en": "...", "de": "..."}}`` a line
(the layout of the WMT and opus_books data sets). Standard library only: no ``datasets`` package needed.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from hf_recipe import sm_contract

DATA_SUFFIXES = (".jsonl", ".json")


def find_data_files(channel_dir: str) -> List[str]:
    """Every ``*.jsonl`` / ``*.json`` file directly in ``channel_dir``, sorted by name.

    Raises ValueError when the directory is missing or holds no such file.
    """
    return sm_contract.find_channel_files(channel_dir, DATA_SUFFIXES)


def read_pairs(path: str, source_lang: str, target_lang: str) -> List[Tuple[str, str]]:
    """(source, target) of every non-blank line of ``path``.

    Raises ValueError naming the file and line number for a line that is not JSON, has no ``translation`` object,
    or lacks a string under ``source_lang`` / ``target_lang``.
    """
    pairs: List[Tuple[str, str]] = []
    for where, record in sm_contract.read_json_lines(path):
        translation = record.get("translation") if isinstance(record, dict) else None
        if not isinstance(translation, dict):
            raise ValueError(f"{where}: expected an object with a 'translation' object, "
                             f"e.g. {{\"translation\": {{\"{source_lang}\": \"...\", \"{target_lang}\": \"...\"}}}}")
        texts = []
        for lang in (source_lang, target_lang):
            text = translation.get(lang)
            if not isinstance(text, str):
                raise ValueError(f"{where}: 'translation' has no text for language '{lang}'; "
                                 f"keys present: {sorted(translation)!r}")
            texts.append(text)
        pairs.append((texts[0], texts[1]))
    return pairs


def load_channel(channel_dir: str, source_lang: str, target_lang: str,
                 max_samples: Optional[int] = None) -> List[Tuple[str, str]]:
    """All pairs of a channel (files in name order), the first ``max_samples`` when given.

    Raises ValueError when ``max_samples`` is below 1 or the channel has no pair at all.
    """
    if max_samples is not None and max_samples < 1:
        raise ValueError(f"max_samples must be at least 1 (None: every pair); received {max_samples}")
    pairs: List[Tuple[str, str]] = []
    for path in find_data_files(channel_dir):
        pairs.extend(read_pairs(path, source_lang, target_lang))
    if not pairs:
        raise ValueError(f"channel directory {channel_dir!r} holds no translation pair")
    return pairs[:max_samples] if max_samples is not None else pairs
