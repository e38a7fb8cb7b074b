"""Reading instruction data from a channel: JSON Lines, one conversation a line, in either of two layouts:

* chat: ``{"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}`` (the layout of the
  Hugging Face chat data sets and of TRL's conversational format);
* instruction: ``{"instruction": "...", "input": "..." (optional), "response": "..."}`` (``output`` is accepted in
  place of ``response``: the Alpaca layout), turned into one user and one assistant message.

Every row must hold at least one assistant message (the loss is computed on assistant tokens only). Standard library
only: no ``datasets`` package needed.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from hf_recipe import sm_contract

DATA_SUFFIXES = (".jsonl", ".json")
ROLES = ("system", "user", "assistant")
RESPONSE_KEYS = ("response", "output")
Message = Dict[str, str]


def _instruction_messages(record: dict, where: str) -> List[Message]:
    instruction = record.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        raise ValueError(f"{where}: 'instruction' must be a non-empty string")
    extra = record.get("input", "")
    if extra is None:
        extra = ""
    if not isinstance(extra, str):
        raise ValueError(f"{where}: 'input' must be a string when present; received {type(extra).__name__}")
    present = [key for key in RESPONSE_KEYS if key in record]
    if len(present) != 1:
        raise ValueError(f"{where}: an instruction row needs exactly one of 'response' or 'output'; "
                         f"found {present or 'neither'}")
    response = record[present[0]]
    if not isinstance(response, str) or not response.strip():
        raise ValueError(f"{where}: '{present[0]}' must be a non-empty string")
    prompt = instruction if not extra.strip() else f"{instruction}\n\n{extra}"
    return [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]


def _chat_messages(messages: object, where: str) -> List[Message]:
    if not isinstance(messages, list) or not messages:
        raise ValueError(f"{where}: 'messages' must be a non-empty list of {{\"role\", \"content\"}} objects")
    result: List[Message] = []
    for index, message in enumerate(messages):
        at = f"{where}: messages[{index}]"
        if not isinstance(message, dict):
            raise ValueError(f"{at} must be an object with 'role' and 'content'")
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise ValueError(f"{at}: 'role' must be one of {', '.join(ROLES)}; received {role!r}")
        if not isinstance(content, str):
            raise ValueError(f"{at}: 'content' must be a string; received {type(content).__name__}")
        if role == "system" and index != 0:
            raise ValueError(f"{at}: a 'system' message may only come first")
        if role == "assistant" and not content.strip():
            raise ValueError(f"{at}: an assistant message must not be empty (it is what the model learns)")
        result.append({"role": role, "content": content})
    assistants = [index for index, message in enumerate(result) if message["role"] == "assistant"]
    if not assistants:
        raise ValueError(f"{where}: 'messages' holds no assistant message, so there is nothing to learn")
    first_user = next((index for index, message in enumerate(result) if message["role"] == "user"), None)
    if first_user is None or first_user > assistants[0]:
        raise ValueError(f"{where}: the first assistant message must follow a user message")
    return result


def parse_record(record: object, where: str) -> List[Message]:
    """The messages of one decoded JSON line. Raises ValueError starting with ``where`` for a malformed row."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object; received {type(record).__name__}")
    if "messages" in record:
        if "instruction" in record:
            raise ValueError(f"{where}: a row holds either 'messages' or 'instruction', not both")
        return _chat_messages(record["messages"], where)
    if "instruction" in record:
        return _instruction_messages(record, where)
    raise ValueError(f"{where}: expected {{\"messages\": [...]}} or {{\"instruction\": ..., \"response\": ...}}; "
                     f"keys present: {sorted(record)!r}")


def read_conversations(path: str) -> List[List[Message]]:
    """The messages of every non-blank line of ``path``; errors name the file and line number."""
    return [parse_record(record, where) for where, record in sm_contract.read_json_lines(path)]


def load_channel(channel_dir: str, max_samples: Optional[int] = None) -> List[List[Message]]:
    """All conversations of a channel (files in name order), the first ``max_samples`` when given.

    Raises ValueError when ``max_samples`` is below 1 or the channel holds no conversation at all.
    """
    if max_samples is not None and max_samples < 1:
        raise ValueError(f"max_samples must be at least 1 (None: every row); received {max_samples}")
    conversations: List[List[Message]] = []
    for path in sm_contract.find_channel_files(channel_dir, DATA_SUFFIXES):
        conversations.extend(read_conversations(path))
    if not conversations:
        raise ValueError(f"channel directory {channel_dir!r} holds no conversation")
    return conversations[:max_samples] if max_samples is not None else conversations
