"""The fine-tuning job: VGG transfer learning on log-mel spectrograms.

`config` (the run's `FinetuneConfig`) and `presets` (per dataset), `model`
(waveform -> log-mel -> VGG -> head), `callbacks` (per-phase bookkeeping) and
`job` (`run_finetune`, the two-phase recipe and its outputs).
"""


def register_layers():
    """Register every custom layer a `finetune` model holds, before loading one."""
    import applications.finetune.crops  # noqa: F401  (test-time crops of from-scratch models)
    import applications.finetune.fusion  # noqa: F401  (the network x baseline product)
    import zoo.audio  # noqa: F401  (the front end)
    import zoo.features  # noqa: F401  (the baseline's features)
