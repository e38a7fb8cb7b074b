"""Build a tiny T5 translation model and tokenizer from the sample corpus, with no Hub access.

Usage: python3 tests/gpu/make_tiny_model.py DATA_DIR OUT_DIR [--archive]

The tokenizer is a word-level ``tokenizers`` model over every word of DATA_DIR/*.jsonl (both languages), wrapped
in ``PreTrainedTokenizerFast`` so ``AutoTokenizer.from_pretrained`` loads it; the model is a randomly initialised
2-layer T5 (``AutoModelForSeq2SeqLM`` loads it). With --archive the files are also packed as OUT_DIR.tar.gz, the
shape a previous training job's model.tar.gz has, to exercise the script's model-channel extraction.
Needs torch, transformers and tokenizers (all in the Hugging Face DLCs); runs on CPU or GPU in seconds.
"""
import argparse
import glob
import json
import os
import tarfile

SPECIALS = ["<pad>", "</s>", "<unk>"]  # ids 0, 1, 2: T5's pad, eos and unk ids


def corpus_words(data_dir):
    from tokenizers.pre_tokenizers import Whitespace

    words = set()
    splitter = Whitespace()
    for path in sorted(glob.glob(os.path.join(data_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    for text in json.loads(line)["translation"].values():
                        words.update(piece for piece, _ in splitter.pre_tokenize_str(text))
    return sorted(words)


def build(data_dir, out_dir):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, decoders
    from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    vocab = {token: index for index, token in enumerate(SPECIALS + corpus_words(data_dir))}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])])
    backend.decoder = decoders.WordPiece(prefix="##")  # joins tokens with spaces
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>",
                                        unk_token="<unk>")
    config = T5Config(vocab_size=len(vocab), d_model=64, d_ff=128, d_kv=16, num_layers=2, num_decoder_layers=2,
                      num_heads=4, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    model = T5ForConditionalGeneration(config)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return len(vocab)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--archive", action="store_true", help="also write OUT_DIR.tar.gz")
    options = parser.parse_args()
    size = build(options.data_dir, options.out_dir)
    if options.archive:
        with tarfile.open(options.out_dir.rstrip("/") + ".tar.gz", "w:gz") as tar:
            for name in sorted(os.listdir(options.out_dir)):
                tar.add(os.path.join(options.out_dir, name), arcname=name)
    print(f"tiny T5 with a {size}-word vocabulary written to {options.out_dir}")


if __name__ == "__main__":
    main()
