"""bleu: the built-in corpus BLEU follows sacrebleu's defaults (13a, exp smoothing, brevity penalty)."""
import math
import unittest

import translation_support  # noqa: F401
import bleu


class Tokenize13aTests(unittest.TestCase):
    def test_punctuation_is_split_but_numbers_keep_their_period_and_comma(self):
        self.assertEqual(bleu.tokenize_13a("It costs $5.50, ok?"), "It costs $ 5.50 , ok ?")
        self.assertEqual(bleu.tokenize_13a("1,000 people (mostly)."), "1,000 people ( mostly ) .")

    def test_dash_after_a_digit_is_split_and_entities_are_unescaped(self):
        self.assertEqual(bleu.tokenize_13a("2-3 &amp; more"), "2 - 3 & more")


class BuiltinCorpusBleuTests(unittest.TestCase):
    # Expected values are worked out by hand from n-gram counts in each comment.
    def test_no_matching_ngram_scores_0_as_sacrebleu_does(self):
        # sacrebleu v2.4.3 sacrebleu/metrics/bleu.py lines 257-258: "if not any(correct): return BLEUScore(0.0, ...)"
        # before any smoothing; exp smoothing alone would give about 8 here
        self.assertEqual(bleu.builtin_corpus_bleu(["a b c d"], ["e f g h"]), 0.0)
        self.assertEqual(bleu.builtin_corpus_bleu(["x", "y z"], ["a b", "c"]), 0.0)

    def test_identical_corpus_scores_100(self):
        self.assertAlmostEqual(bleu.builtin_corpus_bleu(["Das Haus ist klein ."], ["Das Haus ist klein."]), 100.0)

    def test_partial_match(self):
        # hyp "the cat sat on the mat", ref "the cat sat on a mat": 1-grams 5/6, 2-grams 3/5, 3-grams 2/4,
        # 4-grams 1/3, equal lengths -> (5/6 * 3/5 * 1/2 * 1/3) ** (1/4) = (1/12) ** 0.25
        score = bleu.builtin_corpus_bleu(["the cat sat on the mat"], ["the cat sat on a mat"])
        self.assertAlmostEqual(score, 100 * (1 / 12) ** 0.25, places=9)

    def test_exp_smoothing_for_an_order_without_matches(self):
        # hyp "a b c d", ref "a b c e": 3/4, 2/3, 1/2, 0/1 -> exp smoothing makes the 4-gram precision 1/(2*1)
        score = bleu.builtin_corpus_bleu(["a b c d"], ["a b c e"])
        self.assertAlmostEqual(score, 100 * (3 / 4 * 2 / 3 * 1 / 2 * 1 / 2) ** 0.25, places=9)

    def test_brevity_penalty(self):
        # hyp 5 tokens all matching, ref 6 tokens: precisions 1, BP = exp(1 - 6/5)
        score = bleu.builtin_corpus_bleu(["the cat sat on the"], ["the cat sat on the mat"])
        self.assertAlmostEqual(score, 100 * math.exp(1 - 6 / 5), places=9)

    def test_counts_are_pooled_over_the_corpus(self):
        # sentence 1 exact (4 tokens: 4/4, 3/3, 2/2, 1/1); sentence 2 "x y z w" vs "x y z v": 3/4, 2/3, 1/2, 0/1
        # pooled: 7/8, 5/6, 3/4, 1/2
        score = bleu.builtin_corpus_bleu(["a b c d", "x y z w"], ["a b c d", "x y z v"])
        self.assertAlmostEqual(score, 100 * (7 / 8 * 5 / 6 * 3 / 4 * 1 / 2) ** 0.25, places=9)

    def test_corpus_shorter_than_four_tokens_scores_zero(self):
        self.assertEqual(bleu.builtin_corpus_bleu(["a b c"], ["a b c"]), 0.0)

    def test_empty_hypotheses_score_zero(self):
        self.assertEqual(bleu.builtin_corpus_bleu([""], ["a b c d"]), 0.0)

    def test_mismatched_lengths_are_rejected(self):
        with self.assertRaisesRegex(ValueError, "2 hypotheses but 1 references"):
            bleu.builtin_corpus_bleu(["a", "b"], ["a"])


class CorpusBleuTests(unittest.TestCase):
    def test_reports_the_implementation_used(self):
        result = bleu.corpus_bleu(["the cat sat on the mat"], ["the cat sat on a mat"])
        try:
            import sacrebleu  # noqa: F401
            self.assertTrue(result.implementation.startswith("sacrebleu"))
        except ImportError:
            self.assertEqual(result.implementation, "builtin-13a")
        # sacrebleu and the built-in agree on this corpus
        self.assertAlmostEqual(result.score, 100 * (1 / 12) ** 0.25, places=6)


if __name__ == "__main__":
    unittest.main()
