"""The llm-sft start-up packing probe on tiny models, against an independent reference: packed examples must not
attend to each other, and flash-attention's variable-length path is used where it is installed and exact.

Usage: python3 tests/gpu/packing_probe.py [--json OUT]

For each tiny causal LM built from a config (random weights, no download) - a Llama (transformers builds its mask
from position_ids), and Falcon and StableLM (on the older mask code in transformers 4.56, whose packed rows attend to
each other) - wrapped in LoRA (peft) as the recipe wraps it, and for each attention implementation and batch layout
the recipe can use (sdpa and eager with padded rows; flash_attention_2 with padded rows and with one flattened row,
the recipe's choice), it runs:

* the probe of training-scripts/llm-sft/train.py (``packing_probe``: does one packed example's logits change when
  the example packed before it changes?) and its verdict (``sft_config.isolation_holds``), which decides whether the
  recipe trains with packing or refuses it;
* a reference that shares no code with the probe: the same example's logits alone (one row, no mask) against its
  logits packed behind another example, relative difference below 1e-4 (float32) or 3e-2 (bfloat16).

A control shows that both can see a leak: the same packed rows without their per-example boundaries (no
``position_ids``, an attention mask of ones over every token, as a packer that forgets the boundaries would send),
under sdpa and eager. Every example there attends to the one before it, so both the probe and the reference must
say "not isolated"; a stack on which every layout is isolated would otherwise pass without ever showing that the
probe detects anything.

It passes when the probe's verdict equals the reference's everywhere, the Llama under sdpa with padded rows (the
recipe's default) is isolated, and the control ran for the Llama under sdpa and is judged not isolated by both
wherever it ran (``failures``). A configuration that needs a missing package (flash_attn) is reported as
"not available: <package>". Prints one line per configuration and writes the table to --json.
"""
import argparse
import importlib.util
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(REPO, "training-scripts", "llm-sft"), os.path.join(REPO, "training-scripts")]  # + hf_recipe

MODELS = {
    "llama": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
              "num_key_value_heads": 2},
    "falcon": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4},
    "stablelm": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 4},
}
PADDED, FLATTENED, CONTROL = "padded rows", "one flattened row", "no boundaries (control)"
# (attention implementation, batch layout): what the recipe can train with, then the control that must leak.
LAYOUTS = (("sdpa", PADDED), ("eager", PADDED), ("flash_attention_2", PADDED), ("flash_attention_2", FLATTENED),
           ("sdpa", CONTROL), ("eager", CONTROL))
VOCAB = 256
REFERENCE_TOLERANCE = {"float32": 1e-4, "bfloat16": 3e-2}


def without_boundaries(rows):
    """The control layout: packed rows without their ``position_ids``, so chat_format.pad_batch gives them an
    attention mask of ones over every real token (zeros only on the padded tail) and nothing marks where one packed
    example ends and the next begins (transformers finds packed examples from ``position_ids`` only when no attention
    mask is passed: huggingface/transformers, src/transformers/masking_utils.py, ``_preprocess_mask_arguments``)."""
    return [{key: list(values) for key, values in row.items() if key != "position_ids"} for row in rows]


def failures(results):
    """What fails the check, from the table of configurations (``probe_one`` rows with ``model``,
    ``attn_implementation`` and ``layout``): the probe disagreeing with the reference or an error anywhere; the
    recipe's default (llama, sdpa, padded rows) not isolated; the control judged isolated by either side wherever it
    ran, or not run for the Llama under sdpa."""
    found = []

    def row_of(model, implementation, layout):
        return next((row for row in results if (row["model"], row["attn_implementation"], row["layout"])
                     == (model, implementation, layout)), None)

    for row in results:
        name = f"{row['model']}/{row['attn_implementation']}/{row['layout']}"
        if row["verdict"] == "DISAGREES" or row["verdict"].startswith("error"):
            found.append(f"{name}: {row['verdict']}")
        if row["layout"] == CONTROL and "probe_isolated" in row and (row["probe_isolated"]
                                                                      or row["reference_isolated"]):
            found.append(f"{name}: judged isolated (probe {row['probe_isolated']}, reference "
                         f"{row['reference_isolated']}) although its packed examples attend to each other: this "
                         "check cannot tell a leak from isolation")
    default = row_of("llama", "sdpa", PADDED)
    if default is None or default.get("probe_isolated") is not True:
        found.append(f"llama/sdpa/{PADDED} (the recipe's default) is not isolated: "
                     f"{default['verdict'] if default else 'not run'}")
    control = row_of("llama", "sdpa", CONTROL)
    if control is None or "probe_isolated" not in control:
        found.append(f"llama/sdpa/{CONTROL}: the control did not run "
                     f"({control['verdict'] if control else 'not in the table'})")
    return found


def reference_isolated(model, collate, dtype_name):
    """Independent check: example B's logits alone vs packed behind A (same padded/flattened layout)."""
    import torch
    import chat_format

    generator = torch.Generator().manual_seed(1)
    a, b, c = (torch.randint(10, VOCAB, (n,), generator=generator).tolist() for n in (19, 13, 29))
    device = model.get_input_embeddings().weight.device
    model.eval()
    with torch.no_grad():
        alone = model(input_ids=torch.tensor([b], device=device),
                      position_ids=torch.arange(len(b), device=device).unsqueeze(0), use_cache=False).logits[0].float()
        batch = collate(chat_format.isolation_probe_rows(a, b, c))
        batch = {k: v.to(device) for k, v in batch.items() if k != "labels"}
        packed = model(**batch, use_cache=False).logits[0, len(a):len(a) + len(b)].float()
    relative = ((alone - packed).abs().max() / alone.abs().max().clamp_min(1e-6)).item()
    return relative <= REFERENCE_TOLERANCE[dtype_name], relative


def probe_one(model_type, implementation, layout):
    import peft
    import torch
    import transformers
    import sft_config
    import train

    if implementation == "flash_attention_2" and importlib.util.find_spec("flash_attn") is None:
        return {"verdict": "not available: flash_attn"}
    dtype_name = "bfloat16" if implementation == "flash_attention_2" else "float32"
    config = transformers.AutoConfig.for_model(model_type, vocab_size=VOCAB, **MODELS[model_type])
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, dtype_name))
    try:
        with torch.device("cuda"):
            model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation=implementation)
    except Exception as error:  # noqa: BLE001 - an architecture without this implementation
        return {"verdict": f"not supported by {model_type}: {type(error).__name__}: {str(error)[:160]}"}
    finally:
        torch.set_default_dtype(previous)
    model.config.use_cache = False
    model = peft.get_peft_model(model, peft.LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                                       task_type="CAUSAL_LM"))
    recipe_collate = train._collator(0, 8, layout == FLATTENED)
    collate = ((lambda rows: recipe_collate(without_boundaries(rows))) if layout == CONTROL else recipe_collate)
    change, largest = train.packing_probe(model, collate, VOCAB)
    probe = sft_config.isolation_holds(change, largest)
    reference, relative = reference_isolated(model, collate, dtype_name)
    return {"verdict": "agrees" if probe == reference else "DISAGREES", "probe_isolated": probe,
            "probe_change": change, "probe_largest_logit": largest, "reference_isolated": reference,
            "reference_relative_difference": relative, "dtype": dtype_name,
            "recipe": "trains with packing" if probe else "refuses packing"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=None)
    options = parser.parse_args()
    import torch
    import transformers
    if not torch.cuda.is_available():
        print("packing probe: not run: no CUDA GPU", file=sys.stderr)
        return 2
    results = []
    for model_type in MODELS:
        for implementation, layout in LAYOUTS:
            try:
                row = probe_one(model_type, implementation, layout)
            except Exception as error:  # noqa: BLE001 - reported, the other configurations still run
                row = {"verdict": f"error: {type(error).__name__}: {str(error)[:200]}"}
            row.update(model=model_type, attn_implementation=implementation, layout=layout)
            results.append(row)
            print(f"{model_type:9} {implementation:18} {layout:23} {row['verdict']}"
                  + (f" (probe isolated={row['probe_isolated']}, change {row['probe_change']:.3g}; reference "
                     f"isolated={row['reference_isolated']}, relative {row['reference_relative_difference']:.3g}; "
                     f"the recipe {row['recipe']})" if "probe_isolated" in row else ""), flush=True)
    problems = failures(results)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "results": results,
                       "failures": problems}, handle, indent=2)
    print("packing probe: " + ("PASS" if not problems else "FAIL\n  - " + "\n  - ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
