"""Runnable jobs built on `zoo`, and the `audiozoo` CLI.

Imports point down this list, never up:

- `cli/`: the `audiozoo` entry point, one module per subcommand group;
- `finetune/` (and each job to come): the job's config, presets, model and run;
- `training/` (strategies, precision, the multi-worker custom loop, epoch-seed
  replay) and `reporting/` (predictions, metrics, plots), shared by the jobs;
- `data/`: labelled audio datasets as `tf.data` pipelines;
- `atomic_io`: where and how every job writes its outputs.
"""
