"""The team's own training script: fine-tunes a sequence classifier on the `train` channel (SageMaker contract)."""
import argparse
import logging
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--model_name", default="distilbert-base-uncased")
    args, _ = parser.parse_known_args()
    train_dir = os.environ.get("SM_CHANNEL_TRAIN", "data/train")
    model_dir = os.environ.get("SM_MODEL_DIR", "model")
    logging.basicConfig(level=logging.INFO)
    logging.info("training %s for %d epoch(s) on %s into %s", args.model_name, args.epochs, train_dir, model_dir)


if __name__ == "__main__":
    main()
