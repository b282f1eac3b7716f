"""Runnable jobs built on `zoo`: datasets, strategies, fine-tuning, reports and the `audiozoo` CLI."""
