"""translation: multilingual tokenizers (mBART-50, NLLB, M2M100) get their language codes and the forced first
generated token (W3), and the training precision follows the GPU (P3). Stand-ins mirror the tokenizers' attributes
(transformers src/transformers/models/nllb/tokenization_nllb_fast.py: ``src_lang`` / ``tgt_lang`` properties whose
setters rebuild the special tokens; m2m_100/tokenization_m2m_100.py: ``get_lang_id``, codes written ``__de__``)."""
import unittest

import translation_support  # noqa: F401
import args as hyperparameters
import trainer_config
from cuda_standins import A10G, H100, T4, FakeCuda


class NllbLike:
    """Tokens are the codes themselves (``deu_Latn``), as in NLLB and mBART-50."""

    unk_token_id = 3

    def __init__(self, codes=("eng_Latn", "deu_Latn", "fra_Latn")):
        self.vocab = {code: 250000 + index for index, code in enumerate(codes)}
        self.src_lang, self.tgt_lang = "eng_Latn", None

    def convert_tokens_to_ids(self, token):
        return self.vocab.get(token, self.unk_token_id)


class M2M100Like(NllbLike):
    def __init__(self):
        super().__init__()
        self.lang_ids = {"en": 128022, "de": 128021}

    def get_lang_id(self, lang):
        return self.lang_ids[lang]  # raises KeyError for an unknown code, as M2M100's lang_token_to_id does


class T5Like:
    unk_token_id = 2


def parse(*argv):
    return hyperparameters.parse_args(list(argv))


class LanguageCodeTests(unittest.TestCase):
    def test_multilingual_tokenizer_gets_both_codes_and_the_forced_first_token(self):
        tokenizer = NllbLike()
        settings = trainer_config.language_settings(tokenizer, parse("--source_lang_code", "eng_Latn",
                                                                     "--target_lang_code", "deu_Latn"))
        self.assertEqual((tokenizer.src_lang, tokenizer.tgt_lang), ("eng_Latn", "deu_Latn"))
        self.assertEqual(settings, {"forced_bos_token_id": 250001})

    def test_m2m100_codes_go_through_get_lang_id(self):
        tokenizer = M2M100Like()
        settings = trainer_config.language_settings(tokenizer, parse("--source_lang_code", "en",
                                                                     "--target_lang_code", "de"))
        self.assertEqual(settings, {"forced_bos_token_id": 128021})
        with self.assertRaisesRegex(ValueError, "target_lang_code 'xx' is not a language code of M2M100Like"):
            trainer_config.language_settings(M2M100Like(), parse("--source_lang_code", "en",
                                                                 "--target_lang_code", "xx"))

    def test_multilingual_tokenizer_without_codes_is_refused_by_name(self):
        with self.assertRaisesRegex(ValueError, "NllbLike is a multilingual tokenizer.*source_lang_code and "
                                                "target_lang_code.*eng_Latn"):
            trainer_config.language_settings(NllbLike(), parse())

    def test_unknown_code_is_refused(self):
        with self.assertRaisesRegex(ValueError, "source_lang_code 'english' is not a language code of NllbLike"):
            trainer_config.language_settings(NllbLike(), parse("--source_lang_code", "english",
                                                               "--target_lang_code", "deu_Latn"))

    def test_codes_for_a_tokenizer_without_languages_are_refused(self):
        self.assertEqual(trainer_config.language_settings(T5Like(), parse()), {})
        with self.assertRaisesRegex(ValueError, "T5Like has no language codes.*leave source_lang_code and "
                                                "target_lang_code empty"):
            trainer_config.language_settings(T5Like(), parse("--source_lang_code", "en", "--target_lang_code", "de"))

    def test_one_code_without_the_other_is_refused_by_the_parser_whatever_the_tokenizer(self):
        # hyperparameters.json's rules: decided from the values alone, so PrepareRequest refuses it before any job
        for argv in (("--target_lang_code", "de"), ("--source_lang_code", "eng_Latn", "--target_lang_code", "")):
            with self.subTest(argv=argv):
                with self.assertRaisesRegex(ValueError, "source_lang_code and target_lang_code go together"):
                    parse(*argv)


class PrecisionTests(unittest.TestCase):
    def test_auto_trains_in_bfloat16_with_tf32_where_the_gpu_has_it_natively(self):
        for gpu in (A10G, H100):
            with self.subTest(gpu=gpu.name):
                self.assertEqual(trainer_config.precision_kwargs(parse(), gpu),
                                 {"bf16": True, "fp16": False, "tf32": True})

    def test_auto_trains_in_float32_elsewhere(self):
        self.assertEqual(trainer_config.precision_kwargs(parse(), T4), {"bf16": False, "fp16": False})
        cpu = FakeCuda("none", (0, 0), available=False)
        self.assertEqual(trainer_config.precision_kwargs(parse(), cpu), {"bf16": False, "fp16": False})

    def test_explicit_settings(self):
        self.assertEqual(trainer_config.precision_kwargs(parse("--bf16", "False"), H100),
                         {"bf16": False, "fp16": False, "tf32": True})
        self.assertEqual(trainer_config.precision_kwargs(parse("--fp16", "True"), T4), {"bf16": False, "fp16": True})
        with self.assertRaisesRegex(ValueError, "bf16=true but Tesla T4 .compute capability 7.5. has no native"):
            trainer_config.precision_kwargs(parse("--bf16", "True"), T4)

    def test_bf16_word_as_the_toolkit_passes_it(self):
        self.assertEqual(parse().bf16, "auto")
        self.assertEqual(parse("--bf16", "True").bf16, "true")
        self.assertEqual(parse("--bf16", "False").bf16, "false")
        with self.assertRaisesRegex(ValueError, 'hyperparameters fp16 = true, bf16 = "true": fp16 and bf16 true'):
            parse("--bf16", "true", "--fp16", "True")
        with self.assertRaisesRegex(ValueError, "'bf16' must be \"auto\", \"true\" or \"false\"; received 'maybe'"):
            parse("--bf16", "maybe")


if __name__ == "__main__":
    unittest.main()
