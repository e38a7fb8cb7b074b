"""Corpus BLEU: sacrebleu when the image has it, else a standard-library implementation of the same default metric.

The Hugging Face DLCs ship transformers, sentencepiece and protobuf but not sacrebleu, and a network-isolated job
cannot pip-install it. ``corpus_bleu`` therefore uses ``sacrebleu.corpus_bleu`` when it can be imported and
otherwise :func:`builtin_corpus_bleu`, which follows sacrebleu 2.x's defaults for one reference per sentence:
the ``13a`` tokenizer, case-sensitive, 4-gram precisions with ``exp`` smoothing, brevity penalty, no effective order.
The implementation used is reported with the score and logged by the training script.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import List, Sequence

MAX_ORDER = 4

# sacrebleu's 13a tokenizer (the mteval-v13a rules): punctuation and symbols split off; period and comma kept
# inside numbers; a dash after a digit split off.
_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


@dataclass(frozen=True)
class BleuScore:
    """A corpus BLEU score (0-100) and the implementation that computed it."""

    score: float
    implementation: str


def tokenize_13a(line: str) -> str:
    """The ``13a`` tokenization of one line (tokens separated by single spaces)."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, replacement in _13A_RULES:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())


def _ngrams(tokens: List[str], order: int) -> Counter:
    return Counter(tuple(tokens[i:i + order]) for i in range(len(tokens) - order + 1))


def builtin_corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) of ``hypotheses`` against one reference each, as sacrebleu computes it by default."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    correct = [0] * MAX_ORDER
    total = [0] * MAX_ORDER
    sys_len = ref_len = 0
    for hypothesis, reference in zip(hypotheses, references):
        hyp_tokens = tokenize_13a(hypothesis).split()
        ref_tokens = tokenize_13a(reference).split()
        sys_len += len(hyp_tokens)
        ref_len += len(ref_tokens)
        for order in range(1, MAX_ORDER + 1):
            hyp_counts = _ngrams(hyp_tokens, order)
            ref_counts = _ngrams(ref_tokens, order)
            correct[order - 1] += sum(min(count, ref_counts[gram]) for gram, count in hyp_counts.items())
            total[order - 1] += max(len(hyp_tokens) - order + 1, 0)
    if sys_len == 0 or not any(correct):
        return 0.0  # as sacrebleu (v2.4.3 metrics/bleu.py lines 257-258): no matching n-gram, no smoothing
    precisions = [0.0] * MAX_ORDER
    smooth = 1.0
    for order in range(MAX_ORDER):
        if total[order] == 0:
            break
        if correct[order] == 0:
            smooth *= 2
            precisions[order] = 100.0 / (smooth * total[order])
        else:
            precisions[order] = 100.0 * correct[order] / total[order]
    if any(p == 0.0 for p in precisions):
        return 0.0
    brevity = 1.0 if sys_len >= ref_len else math.exp(1 - ref_len / sys_len)
    return brevity * math.exp(sum(math.log(p) for p in precisions) / MAX_ORDER)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> BleuScore:
    """Corpus BLEU with sacrebleu when importable, else :func:`builtin_corpus_bleu`."""
    try:
        import sacrebleu  # noqa: PLC0415 - optional dependency, absent from the DLCs
    except ImportError:
        return BleuScore(builtin_corpus_bleu(hypotheses, references), "builtin-13a")
    result = sacrebleu.corpus_bleu(list(hypotheses), [list(references)])
    return BleuScore(float(result.score), f"sacrebleu {getattr(sacrebleu, '__version__', '?')}")
