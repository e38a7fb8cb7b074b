"""translation: multilingual tokenizers get their language codes and the generation settings their code layout needs,
and the training precision follows the GPU.

Stand-ins carry the real tokenizer class names (the layout is decided by class) and write the codes where the real
ones do (huggingface/transformers src/transformers/models/: the original mBART, mbart/tokenization_mbart.py,
``X </s> code``; mBART-50, NLLB and M2M100, ``code X </s>``; M2M100 codes through ``get_lang_id``, written ``__de__``).
The layout tests check the settings against what the model learns from the labels: the original mBART's decoder input
is the labels with the final language code moved to the front (mbart/modeling_mbart.py shift_tokens_right), the others'
is ``decoder_start_token_id`` followed by the labels."""
import unittest

import translation_support  # noqa: F401
import args as hyperparameters
import trainer_config
from cuda_standins import A10G, H100, T4, FakeCuda

EOS = 2


class Multilingual:
    """Base of the stand-ins: codes are tokens (``deu_Latn``, ``en_XX``); ``layout`` says where they go."""

    unk_token_id = 3
    layout = "prefix"

    def __init__(self, codes=("eng_Latn", "deu_Latn", "fra_Latn"), legacy_behaviour=False):
        self.vocab = {code: 250000 + index for index, code in enumerate(codes)}
        self.src_lang, self.tgt_lang = codes[0], None
        if legacy_behaviour:
            self.legacy_behaviour = True

    def convert_tokens_to_ids(self, token):
        return self.vocab.get(token, self.unk_token_id)

    def code_id(self, code):
        return self.convert_tokens_to_ids(code)

    def target_ids(self, text_ids):
        """``tokenizer(text_target=...)`` for a text of ``text_ids``."""
        code = self.code_id(self.tgt_lang)
        return text_ids + [EOS, code] if self.layout == "suffix" else [code] + text_ids + [EOS]


class NllbTokenizerFast(Multilingual):
    pass


class MBart50TokenizerFast(Multilingual):
    def __init__(self):
        super().__init__(("en_XX", "de_DE", "ro_RO"))


class MBartTokenizer(Multilingual):
    """The original mBART (mbart-large-cc25, mbart-large-en-ro): codes after the text."""

    layout = "suffix"

    def __init__(self):
        super().__init__(("en_XX", "de_DE", "ro_RO"))


class MBartTokenizerFast(MBartTokenizer):
    pass


class M2M100Tokenizer(Multilingual):
    def __init__(self):
        super().__init__()
        self.lang_ids = {"en": 128022, "de": 128021}

    def get_lang_id(self, lang):
        return self.lang_ids[lang]  # raises KeyError for an unknown code, as M2M100's lang_token_to_id does

    def code_id(self, code):
        return self.lang_ids[code]


class FSMTTokenizer:
    """Has src_lang / tgt_lang (transformers models/fsmt/tokenization_fsmt.py) but writes no language codes."""

    unk_token_id = 3

    def __init__(self):
        self.src_lang, self.tgt_lang = "en", "de"


class T5Like:
    unk_token_id = 2


def parse(*argv):
    return hyperparameters.parse_args(list(argv))


def codes(source, target):
    return parse("--source_lang_code", source, "--target_lang_code", target)


def decoder_inputs(tokenizer, labels, settings, config_decoder_start=EOS):
    """The decoder input the model trains on: the original mBART moves the final (language) token to the front; the
    others put the configured decoder start before the labels."""
    if tokenizer.layout == "suffix":
        return [labels[-1]] + labels[:-1]
    return [settings.get("decoder_start_token_id", config_decoder_start)] + labels[:-1]


class LanguageCodeTests(unittest.TestCase):
    CASES = ((NllbTokenizerFast, "eng_Latn", "deu_Latn"), (MBart50TokenizerFast, "en_XX", "de_DE"),
             (M2M100Tokenizer, "en", "de"), (MBartTokenizer, "en_XX", "ro_RO"), (MBartTokenizerFast, "en_XX", "ro_RO"))

    def test_generation_starts_as_training_did_for_every_layout(self):
        """Generation must reproduce the labels: the decoder's first input is the one training used, and a forced
        first token is the labels' first token."""
        for cls, source, target in self.CASES:
            with self.subTest(tokenizer=cls.__name__):
                tokenizer = cls()
                settings = trainer_config.language_settings(tokenizer, codes(source, target))
                self.assertEqual((tokenizer.src_lang, tokenizer.tgt_lang), (source, target))
                labels = tokenizer.target_ids([11, 12, 13])
                trained = decoder_inputs(tokenizer, labels, settings)
                self.assertEqual(settings.get("decoder_start_token_id", EOS), trained[0],
                                 "generation starts the decoder with the token training started it with")
                forced = settings.get("forced_bos_token_id")
                if forced is not None:
                    self.assertEqual(forced, labels[0], "the forced first token is the labels' first token")
                if tokenizer.layout == "suffix":
                    self.assertIn("forced_bos_token_id", settings, "a checkpoint's own forced token is cleared")
                    self.assertIsNone(forced, "the original mBART's first generated token is text, not a code")
                else:
                    self.assertEqual(forced, tokenizer.code_id(target), "the target code is forced first")

    def test_original_mbart_starts_the_decoder_with_the_target_code_and_forces_nothing(self):
        settings = trainer_config.language_settings(MBartTokenizer(), codes("en_XX", "ro_RO"))
        self.assertEqual(settings, {"decoder_start_token_id": 250002, "forced_bos_token_id": None})

    def test_a_subclass_of_a_known_tokenizer_has_its_layout(self):
        class MyMBart(MBartTokenizerFast):
            pass
        self.assertEqual(trainer_config.language_settings(MyMBart(), codes("en_XX", "de_DE")),
                         {"decoder_start_token_id": 250001, "forced_bos_token_id": None})

    def test_m2m100_codes_go_through_get_lang_id(self):
        settings = trainer_config.language_settings(M2M100Tokenizer(), codes("en", "de"))
        self.assertEqual(settings, {"forced_bos_token_id": 128021})
        with self.assertRaisesRegex(ValueError, "target_lang_code 'xx' is not a language code of M2M100Tokenizer"):
            trainer_config.language_settings(M2M100Tokenizer(), codes("en", "xx"))

    def test_multilingual_tokenizer_without_codes_is_refused_by_name_with_its_own_examples(self):
        for cls, example in ((NllbTokenizerFast, "'eng_Latn' and 'deu_Latn'"), (MBartTokenizer, "'en_XX' and 'ro_RO'"),
                             (M2M100Tokenizer, "'en' and 'de'")):
            with self.subTest(tokenizer=cls.__name__):
                with self.assertRaisesRegex(ValueError, f"{cls.__name__} is a multilingual tokenizer.*source_lang_code "
                                                        f"and target_lang_code.*{example}"):
                    trainer_config.language_settings(cls(), parse())

    def test_unknown_code_is_refused(self):
        with self.assertRaisesRegex(ValueError, "source_lang_code 'english' is not a language code of "
                                                "NllbTokenizerFast"):
            trainer_config.language_settings(NllbTokenizerFast(), codes("english", "deu_Latn"))

    def test_nllb_with_legacy_behaviour_is_refused_naming_the_flag(self):
        with self.assertRaisesRegex(ValueError, "NllbTokenizerFast was loaded with legacy_behaviour=True"):
            trainer_config.language_settings(NllbTokenizerFast(legacy_behaviour=True), codes("eng_Latn", "deu_Latn"))

    def test_a_tokenizer_with_languages_but_an_unknown_layout_is_refused_by_name(self):
        with self.assertRaisesRegex(ValueError, "the tokenizer FSMTTokenizer has src_lang and tgt_lang, but this "
                                                "script does not know where it writes language codes.*supported "
                                                "multilingual tokenizers: M2M100Tokenizer, MBart50Tokenizer, "):
            trainer_config.language_settings(FSMTTokenizer(), parse())

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
