"""Real chat templates rendered the way transformers renders them, for the llm-sft loss-mask tests.

The templates in fixtures/chat_templates/ are the originals as shipped with the models, copied unchanged from
huggingface/trl at commit f2cd57710ae345ea6428ae95363267fcf38a3dc8, ``trl/chat_templates/<name>.jinja`` (Apache-2.0;
trl/chat_templates/README.md there: "Original templates ... as shipped"): phi3 (Phi-3 / Phi-3.5), qwen3 (Qwen3, the
thinking template), gptoss (gpt-oss), deepseekv3 (DeepSeek-V3 / R1 style) and qwen2_5 (Qwen2.5).

:func:`renderer` mirrors ``_compile_jinja_template`` and ``render_jinja_template`` of transformers
(src/transformers/utils/chat_template_utils.py; at the v4.56 branch point 155fd92, lines 445-461): jinja2's
``ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[..., jinja2.ext.loopcontrols])``,
a ``tojson`` filter that does not escape HTML, the globals ``raise_exception`` and ``strftime_now``, and the
tokenizer's special tokens passed as variables (``apply_chat_template`` passes ``**special_tokens_map``).
``strftime_now`` answers a fixed date here, so that every rendering of one conversation is the same.

jinja2 is required, not optional: scripts/test.sh installs the pinned version into .venv-tools/ (scripts/python-tools.sh)
where the machine lacks it, so these tests never skip.
"""
import json
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "chat_templates")

# The special tokens each model's tokenizer passes to its template (tokenizer_config.json of the model repositories).
SPECIAL_TOKENS = {
    "phi3": {"bos_token": "<s>", "eos_token": "<|endoftext|>"},
    "qwen3": {"bos_token": None, "eos_token": "<|im_end|>"},
    "qwen2_5": {"bos_token": None, "eos_token": "<|im_end|>"},
    "gptoss": {"bos_token": "<|startoftext|>", "eos_token": "<|return|>"},
    "deepseekv3": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
}


def _environment():
    try:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError as error:  # a clear failure, never a skip
        raise ImportError("the chat-template tests need jinja2 (scripts/test.sh installs the pinned version into "
                          ".venv-tools/ via scripts/python-tools.sh; or pip install jinja2==3.1.6)") from error

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                extensions=[jinja2.ext.loopcontrols])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = lambda format: "2026-01-15"
    return environment


def template_text(name):
    with open(os.path.join(FIXTURES, f"{name}.jinja"), encoding="utf-8") as handle:
        return handle.read()


def renderer(name=None, text=None, **tokens):
    """``render(messages, add_generation_prompt) -> str`` for the fixture ``name`` (or the template ``text``),
    as ``tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=...)`` renders it."""
    template = _environment().from_string(text if text is not None else template_text(name))
    variables = dict(SPECIAL_TOKENS.get(name, {}))
    variables.update(tokens)

    def render(messages, add_generation_prompt):
        return template.render(messages=list(messages), tools=None, documents=None,
                               add_generation_prompt=add_generation_prompt, **variables)

    return render
