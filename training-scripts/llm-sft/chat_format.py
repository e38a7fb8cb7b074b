"""Turning conversations into training rows: chat template, response-only labels, truncation, packing, padding.

Everything here works on plain Python lists through two small interfaces, so the loss mask is unit-tested without
torch or transformers:

* ``render(messages, add_generation_prompt) -> str``: the tokenizer's chat template (in the job:
  ``tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)``);
* ``encode(text) -> (ids, offsets)``: token ids and each token's ``(start, end)`` character span in ``text`` (in the
  job: the fast tokenizer called with ``add_special_tokens=False, return_offsets_mapping=True``; the template itself
  writes BOS and the turn markers).

How the labels come about: the whole conversation is rendered once and tokenized once (so the model trains on
exactly the tokens it sees at inference). For each assistant turn ``i`` the template is rendered for
``messages[:i]`` with the generation prompt and for ``messages[:i + 1]``; the characters between the two (the answer
and the template's end-of-turn marker, trailing white space dropped) are the response span. A token is trained on
(its label is its id) when its first character lies in a response span; every other token gets the label -100,
which the loss ignores. A template that does not render a conversation's prefixes as prefixes of the whole (some
templates rewrite earlier turns) leaves that turn untrained, and a row with no trainable turn is refused.
A tokenizer without offsets (a "slow" one) is handled by :func:`tokenize_by_segments`, which encodes the prompt and
response pieces separately.

Packing puts several examples into one row (best fit, examples never split); each example's ``position_ids``
restart at 0, which is how transformers 4.56 keeps packed examples from attending to each other when the batch has
no ``attention_mask`` and there is no cache: ``masking_utils._preprocess_mask_arguments`` calls
``find_packed_sequence_indices`` for the sdpa and eager attention the script loads (the default). Not with
flash-attention: ``modeling_flash_attention_utils._is_packed_sequence`` takes the varlen path only for a batch of
one row, so packed rows in a larger batch would attend to each other there.
Standard library only.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

IGNORE_INDEX = -100

# Used when the tokenizer has no chat template (base models). Plain-text markers (no new special tokens, so no
# embedding has to be learned), BOS first when the tokenizer has one, EOS after every answer so the model learns to
# stop. No newline directly follows a block tag: transformers renders templates with trim_blocks=True.
FALLBACK_CHAT_TEMPLATE = (
    "{% if bos_token %}{{ bos_token }}{% endif %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}"
    "{% elif message['role'] == 'user' %}{{ '### Instruction:\\n' + message['content'] + '\\n\\n' }}"
    "{% else %}{{ '### Response:\\n' + message['content'] + eos_token + '\\n\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '### Response:\\n' }}{% endif %}"
)

Message = Dict[str, str]
Render = Callable[[Sequence[Message], bool], str]
Encode = Callable[[str], Tuple[List[int], List[Tuple[int, int]]]]


@dataclass
class Example:
    """One tokenized conversation: ``labels[i]`` is ``input_ids[i]`` on response tokens and -100 elsewhere."""

    input_ids: List[int]
    labels: List[int]

    @property
    def trained_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)


@dataclass
class Stats:
    """What building the examples did, for the job log."""

    rows: int = 0
    examples: int = 0
    truncated: int = 0
    dropped: int = 0              # no response token left within max_seq_length
    untrained_turns: int = 0      # assistant turns the template did not render as a prefix
    tokens: int = 0
    trained_tokens: int = 0
    dropped_rows: List[int] = field(default_factory=list)  # indexes of the first few dropped rows

    def describe(self) -> str:
        return (f"{self.rows} rows -> {self.examples} examples ({self.tokens} tokens, {self.trained_tokens} trained "
                f"on); truncated {self.truncated}, dropped {self.dropped} (no response token within max_seq_length), "
                f"untrained assistant turns {self.untrained_turns}")


def response_spans(messages: Sequence[Message], render: Render) -> Tuple[str, List[Tuple[int, int]], int]:
    """(full text, character spans of the trainable assistant answers, number of assistant turns left untrained)."""
    full = render(list(messages), False)
    spans: List[Tuple[int, int]] = []
    untrained = 0
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt = render(list(messages[:index]), True)
        through = render(list(messages[:index + 1]), False)
        end = len(through.rstrip())
        if full.startswith(through) and through.startswith(prompt) and end > len(prompt):
            spans.append((len(prompt), end))
        else:
            untrained += 1
    return full, spans, untrained


def response_token_flags(offsets: Sequence[Tuple[int, int]], spans: Sequence[Tuple[int, int]]) -> List[bool]:
    """For each token (by its first character's offset): True when it starts inside a response span."""
    starts = [start for start, _ in spans]
    flags = []
    for token_start, _ in offsets:
        position = bisect.bisect_right(starts, token_start) - 1
        flags.append(position >= 0 and token_start < spans[position][1])
    return flags


def labels_for(ids: Sequence[int], flags: Sequence[bool]) -> List[int]:
    """``ids`` with every non-response token replaced by -100."""
    return [token if trained else IGNORE_INDEX for token, trained in zip(ids, flags)]


def tokenize_by_segments(text: str, spans: Sequence[Tuple[int, int]],
                         encode_plain: Callable[[str], List[int]]) -> Tuple[List[int], List[int]]:
    """(ids, labels) when the tokenizer gives no offsets: prompt and response pieces are encoded one by one."""
    ids: List[int] = []
    labels: List[int] = []
    position = 0
    pieces = []
    for start, end in spans:
        pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    pieces.append((text[position:], False))
    for piece, trained in pieces:
        if not piece:
            continue
        piece_ids = list(encode_plain(piece))
        ids.extend(piece_ids)
        labels.extend(piece_ids if trained else [IGNORE_INDEX] * len(piece_ids))
    return ids, labels


def build_examples(conversations: Sequence[Sequence[Message]], render: Render, max_seq_length: int,
                   encode: Optional[Encode] = None,
                   encode_plain: Optional[Callable[[str], List[int]]] = None) -> Tuple[List[Example], Stats]:
    """Tokenize every conversation (``encode`` with offsets, else ``encode_plain`` piece by piece), truncate to
    ``max_seq_length`` tokens, and drop examples with no response token left. Raises ValueError when every row is
    dropped, naming ``max_seq_length``."""
    if encode is None and encode_plain is None:
        raise ValueError("build_examples needs encode (with offsets) or encode_plain")
    stats = Stats(rows=len(conversations))
    examples: List[Example] = []
    for row, messages in enumerate(conversations):
        try:
            text, spans, untrained = response_spans(messages, render)
        except Exception as error:  # noqa: BLE001 - a template's raise_exception() or any Jinja error
            raise ValueError(f"row {row + 1} of the data: the model's chat template refused the conversation "
                             f"({type(error).__name__}: {error}); make the rows fit the template (e.g. some "
                             f"templates allow no 'system' message or require user/assistant to alternate)") from None
        stats.untrained_turns += untrained
        if encode is not None:
            ids, offsets = encode(text)
            labels = labels_for(ids, response_token_flags(offsets, spans))
        else:
            ids, labels = tokenize_by_segments(text, spans, encode_plain)
        if len(ids) > max_seq_length:
            stats.truncated += 1
            ids, labels = ids[:max_seq_length], labels[:max_seq_length]
        example = Example(list(ids), labels)
        if example.trained_tokens == 0:
            stats.dropped += 1
            if len(stats.dropped_rows) < 5:
                stats.dropped_rows.append(row)
            continue
        examples.append(example)
        stats.tokens += len(example.input_ids)
        stats.trained_tokens += example.trained_tokens
    stats.examples = len(examples)
    if conversations and not examples:
        raise ValueError(f"no row has a response token within max_seq_length={max_seq_length} tokens (rows "
                         f"{stats.dropped_rows} ...); raise max_seq_length or shorten the prompts")
    return examples, stats


def pack_examples(examples: Sequence[Example], max_seq_length: int) -> List[Dict[str, List[int]]]:
    """Rows of at most ``max_seq_length`` tokens, each holding whole examples (best fit, longest first).

    Each row has ``input_ids``, ``labels`` and ``position_ids`` (restarting at 0 for every example); the first label
    of every example is -100 so no example is trained to predict from the end of the one before it.
    """
    bins: List[List[Example]] = []
    free: List[Tuple[int, int]] = []  # (free tokens, bin index), sorted
    for example in sorted(examples, key=lambda item: len(item.input_ids), reverse=True):
        size = len(example.input_ids)
        if size > max_seq_length:
            raise ValueError(f"an example of {size} tokens is longer than max_seq_length={max_seq_length}")
        position = bisect.bisect_left(free, (size, -1))
        if position < len(free):
            room, index = free.pop(position)
            bins[index].append(example)
            bisect.insort(free, (room - size, index))
        else:
            bins.append([example])
            bisect.insort(free, (max_seq_length - size, len(bins) - 1))
    rows = []
    for members in bins:
        row: Dict[str, List[int]] = {"input_ids": [], "labels": [], "position_ids": []}
        for example in members:
            row["input_ids"].extend(example.input_ids)
            row["labels"].extend([IGNORE_INDEX] + example.labels[1:])
            row["position_ids"].extend(range(len(example.input_ids)))
        rows.append(row)
    return rows


def example_rows(examples: Sequence[Example]) -> List[Dict[str, List[int]]]:
    """Rows for padding mode: one example each."""
    return [{"input_ids": list(example.input_ids), "labels": list(example.labels)} for example in examples]


def pad_batch(rows: Sequence[Dict[str, List[int]]], pad_token_id: int,
              pad_to_multiple_of: Optional[int] = None) -> Dict[str, List[List[int]]]:
    """Pad ``rows`` on the right to one length (the longest, rounded up to ``pad_to_multiple_of``).

    ``input_ids`` are padded with ``pad_token_id`` and ``labels`` with -100 (padding is never trained, whatever
    ``pad_token_id`` is: it is often the EOS id, whose real occurrences keep their labels). Rows without
    ``position_ids`` (padding mode) get an ``attention_mask``; packed rows keep ``position_ids`` instead, padded as
    one more sequence (0, 1, 2, ...), and get no ``attention_mask``, so transformers detects the packed layout.
    """
    if not rows:
        raise ValueError("pad_batch needs at least one row")
    packed = "position_ids" in rows[0]
    length = max(len(row["input_ids"]) for row in rows)
    if pad_to_multiple_of:
        length = -(-length // pad_to_multiple_of) * pad_to_multiple_of
    batch: Dict[str, List[List[int]]] = {"input_ids": [], "labels": []}
    batch["position_ids" if packed else "attention_mask"] = []
    for row in rows:
        missing = length - len(row["input_ids"])
        batch["input_ids"].append(list(row["input_ids"]) + [pad_token_id] * missing)
        batch["labels"].append(list(row["labels"]) + [IGNORE_INDEX] * missing)
        if packed:
            batch["position_ids"].append(list(row["position_ids"]) + list(range(missing)))
        else:
            batch["attention_mask"].append([1] * len(row["input_ids"]) + [0] * missing)
    return batch
