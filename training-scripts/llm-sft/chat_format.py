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
which the loss ignores. Templates do not always render a conversation's prefixes as prefixes of the whole, and every
assistant turn is trained all the same (:func:`turn_layout`):

* where the whole conversation renders the turn as the turn alone does up to the end of the answer's text (Phi-3
  appends ``eos_token`` to every rendering without a generation prompt; gpt-oss ends only the last answer with
  ``<|return|>``, earlier ones with ``<|end|>``), the span is trained in place, up to where the two renderings part
  (never inside a marker the two begin alike: gpt-oss's earlier answers train without their rewritten ``<|end|>``);
* where it renders the answer differently (Qwen3's thinking template writes a ``<think>`` block only into answers
  after the last user message), the conversation up to and through that turn becomes an example of its own.

A template whose generation prompt is not the start of its rendered answer (DeepSeek-R1 style: the prompt ends in
``<think>\n``, a rendered answer does not) leaves the turn untrained; when no row keeps a trainable turn the job
stops with a message about the template. Tokens that straddle a span boundary (a template's last character merged
with an answer's first one by the tokenizer) are counted for the log.
A tokenizer without offsets (a "slow" one) is handled by :func:`tokenize_by_segments`, which encodes the prompt and
response pieces separately.

Packing puts several examples into one row (best fit, examples never split); each example's ``position_ids``
restart at 0 and the batch has no ``attention_mask``. That is how transformers keeps packed examples apart for
architectures whose attention mask comes from ``masking_utils`` (sdpa and eager: ``find_packed_sequence_indices``,
when there is no cache), and how flash-attention's varlen path finds the sequences when a batch is one row
(:func:`flatten_batch`). It does not hold everywhere (architectures on the older mask code, flash-attention with
several rows, torch older than 2.6), so train.py proves it for the loaded model before training with the rows of
:func:`isolation_probe_rows` and refuses packing where it fails.
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
    template_dropped: int = 0     # no trainable turn at all: the template's generation prompt never fits
    untrained_turns: int = 0      # assistant turns whose generation prompt is not the start of the rendered answer
    separate_turns: int = 0       # turns trained in an example of their own (rendered differently in the whole)
    straddling_tokens: int = 0    # tokens that start on one side of a span boundary and end on the other
    tokens: int = 0
    trained_tokens: int = 0
    dropped_rows: List[int] = field(default_factory=list)  # indexes of the first few dropped rows
    template_problem: Optional[str] = None  # the first generation prompt / rendered answer mismatch

    def describe(self) -> str:
        return (f"{self.rows} rows -> {self.examples} examples ({self.tokens} tokens, {self.trained_tokens} trained "
                f"on); truncated {self.truncated}, dropped {self.dropped + self.template_dropped} ({self.dropped} "
                f"with no response token within max_seq_length, {self.template_dropped} without a trainable turn "
                f"(chat template)); untrained assistant turns {self.untrained_turns}, turns trained as examples of "
                f"their own {self.separate_turns}, tokens straddling an answer boundary {self.straddling_tokens}")


@dataclass
class TurnLayout:
    """Where a conversation's assistant turns are trained (see the module docstring)."""

    text: str                                       # the whole conversation, rendered
    spans: List[Tuple[int, int]]                    # turns trained in place: character spans of ``text``
    separate: List[Tuple[str, Tuple[int, int]]]     # turns trained in the conversation up to them: (text, span)
    untrained: int                                  # turns whose generation prompt is not the start of the answer
    problem: Optional[str] = None                   # the first such mismatch, described


def _shared_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    index = 0
    while index < limit and a[index] == b[index]:
        index += 1
    return index


def _tail(text: str, length: int = 40) -> str:
    return repr(text[-length:])


def turn_layout(messages: Sequence[Message], render: Render) -> TurnLayout:
    """Render ``messages`` and place every assistant turn (module docstring)."""
    full = render(list(messages), False)
    layout = TurnLayout(full, [], [], 0)
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt = render(list(messages[:index]), True)
        through = render(list(messages[:index + 1]), False)
        end = len(through.rstrip())
        if not through.startswith(prompt) or end <= len(prompt):
            layout.untrained += 1
            if layout.problem is None:
                shared = _shared_prefix(prompt, through)
                layout.problem = (f"with add_generation_prompt=True the template ends the prompt in "
                                  f"{_tail(prompt)}, but it renders the assistant message as "
                                  f"{_tail(through[:shared])} followed by {through[shared:shared + 40]!r}")
            continue
        if full.startswith(through[:end]):
            layout.spans.append((len(prompt), end))
            continue
        shared = _shared_prefix(full, through[:end])
        answer = str(message.get("content") or "").strip()
        position = through.find(answer, len(prompt)) if answer else -1
        if position >= 0 and position + len(answer) <= shared:
            # the renderings part inside a marker ("<|end|>" / "<|return|>" share "<|"): end before it, never
            # inside the answer's own text
            answer_end = position + len(answer)
            while shared > answer_end and not full[shared - 1].isalnum() and not full[shared - 1].isspace():
                shared -= 1
            layout.spans.append((len(prompt), len(full[:shared].rstrip())))
        else:
            layout.separate.append((through, (len(prompt), end)))
    return layout


def response_spans(messages: Sequence[Message], render: Render) -> Tuple[str, List[Tuple[int, int]], int]:
    """(full text, character spans of the assistant answers trained in place, number of assistant turns left
    untrained); :func:`turn_layout` also gives the turns trained as examples of their own."""
    layout = turn_layout(messages, render)
    return layout.text, layout.spans, layout.untrained


def straddling_tokens(offsets: Sequence[Tuple[int, int]], spans: Sequence[Tuple[int, int]]) -> int:
    """How many tokens start on one side of a span boundary and end on the other (their label follows their first
    character, so part of an answer goes untrained or a prompt character is trained)."""
    boundaries = sorted({edge for span in spans for edge in span})
    count = 0
    for start, end in offsets:
        position = bisect.bisect_right(boundaries, start)
        if position < len(boundaries) and boundaries[position] < end:
            count += 1
    return count


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
            layout = turn_layout(messages, render)
        except Exception as error:  # noqa: BLE001 - a template's raise_exception() or any Jinja error
            raise ValueError(f"row {row + 1} of the data: the model's chat template refused the conversation "
                             f"({type(error).__name__}: {error}); make the rows fit the template (e.g. some "
                             f"templates allow no 'system' message or require user/assistant to alternate)") from None
        stats.untrained_turns += layout.untrained
        stats.separate_turns += len(layout.separate)
        if layout.problem and stats.template_problem is None:
            stats.template_problem = f"row {row + 1}: {layout.problem}"
        pieces = ([(layout.text, layout.spans)] if layout.spans else []) + [
            (text, [span]) for text, span in layout.separate]
        if not pieces:
            stats.template_dropped += 1
            continue
        kept = 0
        for text, spans in pieces:
            if encode is not None:
                ids, offsets = encode(text)
                labels = labels_for(ids, response_token_flags(offsets, spans))
                stats.straddling_tokens += straddling_tokens(offsets, spans)
            else:
                ids, labels = tokenize_by_segments(text, spans, encode_plain)
            if len(ids) > max_seq_length:
                stats.truncated += 1
                ids, labels = ids[:max_seq_length], labels[:max_seq_length]
            example = Example(list(ids), labels)
            if example.trained_tokens == 0:
                continue
            kept += 1
            examples.append(example)
            stats.tokens += len(example.input_ids)
            stats.trained_tokens += example.trained_tokens
        if not kept:
            stats.dropped += 1
            if len(stats.dropped_rows) < 5:
                stats.dropped_rows.append(row)
    stats.examples = len(examples)
    if conversations and not examples:
        if stats.template_dropped:
            raise ValueError(
                f"no row has a trainable assistant turn: in {stats.template_dropped} of {stats.rows} rows the chat "
                f"template's generation prompt is not the start of the assistant answer it renders, so no answer "
                f"can be labelled ({stats.template_problem}); this is a problem of the chat template, not of the "
                f"data: give the tokenizer a template whose generation prompt is a prefix of its rendered answers "
                f"(e.g. one that writes the same '<think>' opening in both)"
                + (f"; {stats.dropped} more rows have no response token within max_seq_length={max_seq_length}"
                   if stats.dropped else ""))
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


def flatten_batch(rows: Sequence[Dict[str, List[int]]], pad_token_id: int,
                  pad_to_multiple_of: Optional[int] = None) -> Dict[str, List[List[int]]]:
    """Packed ``rows`` as one row (for flash-attention's varlen path, which finds packed sequences only in a batch of
    one row): their examples concatenated with ``position_ids`` restarting at each, no ``attention_mask``; the tail
    up to ``pad_to_multiple_of`` is one more sequence of padding, never trained."""
    if not rows:
        raise ValueError("flatten_batch needs at least one row")
    row: Dict[str, List[int]] = {"input_ids": [], "labels": [], "position_ids": []}
    for item in rows:
        for key in row:
            row[key].extend(item[key])
    return pad_batch([row], pad_token_id, pad_to_multiple_of)


def isolation_probe_rows(first: Sequence[int], second: Sequence[int],
                         third: Sequence[int]) -> List[Dict[str, List[int]]]:
    """Two packed rows for the start-up isolation probe: ``first`` and ``second`` packed in row 0, ``third`` alone
    in row 1 (shorter or longer, so one row gets a padded tail). ``second`` starts at index ``len(first)`` of row 0,
    flattened or not."""
    def row(*examples: Sequence[int]) -> Dict[str, List[int]]:
        ids = [token for example in examples for token in example]
        positions = [position for example in examples for position in range(len(example))]
        return {"input_ids": ids, "labels": [IGNORE_INDEX] * len(ids), "position_ids": positions}

    return [row(first, second), row(third)]
