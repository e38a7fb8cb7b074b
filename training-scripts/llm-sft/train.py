"""Placeholder until the llm-script branch lands (its train.py replaces this file)."""


def main():
    raise NotImplementedError("training-scripts/llm-sft/train.py is a placeholder")


if __name__ == "__main__":
    main()
