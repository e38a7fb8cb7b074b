"""Build a Llama-style causal LM and a chat tokenizer from the llm-sft sample data, with no Hub access.

Usage: python3 tests/gpu/make_tiny_llama.py DATA_DIR OUT_DIR [--archive] [--no-chat-template]
                                           [--hidden 64 --layers 2 --heads 4 --kv-heads 2 --vocab-size N]

The tokenizer is a word-level ``tokenizers`` model over every word of DATA_DIR/*.jsonl plus the role names and the
markers of the llm-sft fallback template, with Llama-3's turn markers as special tokens, wrapped in
``PreTrainedTokenizerFast`` (a fast tokenizer: character offsets, as the script uses them) with a Llama-3-style chat
template (left out with --no-chat-template, to exercise the script's fallback template). The model is a randomly
initialised ``LlamaForCausalLM`` from a config (``AutoModelForCausalLM`` loads it). With --archive the files are
also packed as OUT_DIR.tar.gz, the shape of a previous job's model.tar.gz, to exercise the model-channel extraction.
Needs torch, transformers and tokenizers (all in the Hugging Face DLCs); runs in seconds.
"""
import argparse
import glob
import json
import os
import tarfile

SPECIALS = ["<pad>", "<unk>", "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
EXTRA_WORDS = ["system", "user", "assistant", "###", "Instruction", "Response", ":"]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)


def corpus_words(data_dir):
    from tokenizers.pre_tokenizers import Whitespace

    splitter = Whitespace()
    words = set(EXTRA_WORDS)
    for path in sorted(glob.glob(os.path.join(data_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                texts = [m["content"] for m in record.get("messages", [])]
                texts += [record.get(key) or "" for key in ("instruction", "input", "response", "output")]
                for text in texts:
                    words.update(piece for piece, _ in splitter.pre_tokenize_str(text))
    return sorted(words)


def build_tokenizer(words, chat_template=True):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: index for index, token in enumerate(SPECIALS + [w for w in words if w not in SPECIALS])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    backend.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in SPECIALS])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<|begin_of_text|>",
                                        eos_token="<|eot_id|>", pad_token="<pad>", unk_token="<unk>",
                                        model_input_names=["input_ids", "attention_mask"])
    if chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build(data_dir, out_dir, chat_template=True, hidden=64, layers=2, heads=4, kv_heads=2, vocab_size=None,
          seed=0):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = build_tokenizer(corpus_words(data_dir), chat_template)
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=max(vocab_size or 0, len(tokenizer)), hidden_size=hidden,
                         intermediate_size=hidden * 11 // 4 // 8 * 8 or 8, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=4096,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, tie_word_embeddings=False)
    model = LlamaForCausalLM(config)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)  # safetensors: the default
    tokenizer.save_pretrained(out_dir)
    return len(tokenizer), sum(p.numel() for p in model.parameters())


def archive(out_dir):
    path = out_dir.rstrip("/") + ".tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in sorted(os.listdir(out_dir)):
            tar.add(os.path.join(out_dir, name), arcname=name)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--archive", action="store_true", help="also write OUT_DIR.tar.gz")
    parser.add_argument("--no-chat-template", action="store_true", help="save the tokenizer without a chat template")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--kv-heads", type=int, default=2)
    parser.add_argument("--vocab-size", type=int, default=None, help="embedding rows (default: the tokenizer's)")
    options = parser.parse_args()
    words, parameters = build(options.data_dir, options.out_dir, not options.no_chat_template, options.hidden,
                              options.layers, options.heads, options.kv_heads, options.vocab_size)
    if options.archive:
        archive(options.out_dir)
    print(f"Llama-style model with {parameters} parameters and a {words}-token vocabulary written to "
          f"{options.out_dir}")


if __name__ == "__main__":
    main()
