"""Labelled audio datasets as `tf.data` pipelines: built-in chords and digits, folders, Kaggle corpora."""

from applications.data.dataset import SPLITS, AudioDataset, load_dataset

__all__ = ["AudioDataset", "load_dataset", "SPLITS"]
